import {describe, expect, it} from "vitest";
import {
  AMU_GeV, CAWO4, CALCIUM, FERMI_GeV2, HBARC2_GeV2_cm2, LXE, OXYGEN, PROTON_MASS_GeV, SHM_2021, SHM_220, TONNE_YEAR_KG_DAY,
  TUNGSTEN, XENON, cevnsDiffCrossSection_cm2_keV, cevnsRate, cevnsRateElement, flatErRate, GEV_PER_C2_IN_KG, type NeutrinoFlux, cevnsMaxRecoil_keV, helmFormFactorSq, integrateRate, meanInverseSpeed_s_km,
  nucleusMass_GeV, reducedMass, weakCharge, wimpRate, wimpRateElement, type Element
} from "../lib/sim/recoil.js";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("WIMP rate: published reference values", () => {
  it("xenon, 50 GeV, 1e-45 cm², 1 keV: 33.19 /(t yr keV) (wimprates reference, SHM v0=220, vE=232, vesc=544)", () => {
    const r = wimpRate(1, LXE, {mass_GeV: 50, sigma_cm2: 1e-45, halo: SHM_220}).total * TONNE_YEAR_KG_DAY;
    expect(rel(r, 33.19098343826968)).toBeLessThan(0.02);
  });

  // Lewin & Smith (1996) eq. 3.1/3.9: for v_E = 0 and v_esc → ∞,
  // dR/dE = R0/(E0 r) exp(−E/(E0 r)) F², with R0 = 503.4/(M_D M_T) (σ0/pb)(ρ/0.4)(v0/230) /(kg day).
  const lewinSmith = (E_keV: number, el: Element, mD: number, sigmaP_cm2: number) => {
    const v0 = 230, rho = 0.4;
    const mT = nucleusMass_GeV(el);
    const sigma0_pb = (sigmaP_cm2 * el.A * el.A * (reducedMass(mD, mT) / reducedMass(mD, PROTON_MASS_GeV)) ** 2) / 1e-36;
    const R0 = (503.4 / (mD * mT)) * sigma0_pb * (rho / 0.4) * (v0 / 230);
    const E0_keV = 0.5 * mD * 1e6 * (v0 / 299792.458) ** 2;
    const r = (4 * mD * mT) / (mD + mT) ** 2;
    return (R0 / (E0_keV * r)) * Math.exp(-E_keV / (E0_keV * r)) * helmFormFactorSq(E_keV, el);
  };
  const noEscape = {rho_GeV_cm3: 0.4, v0_km_s: 230, vEsc_km_s: 1e5, vEarth_km_s: 1e-3};

  for (const el of [XENON, CALCIUM, TUNGSTEN, OXYGEN]) {
    it(`${el.symbol}: matches the Lewin–Smith closed form (R0 = 503.4/(M_D M_T)…) at 1–60 keV`, () => {
      for (const mD of [10, 100, 1000]) {
        for (const E of [1, 5, 20, 60]) {
          const ref = lewinSmith(E, el, mD, 1e-45);
          if (ref < 1e-30) continue;
          expect(rel(wimpRateElement(E, el, {mass_GeV: mD, sigma_cm2: 1e-45, halo: noEscape}), ref)).toBeLessThan(0.02);
        }
      }
    });
  }

  it("CaWO4 is the mass-fraction sum of Ca, W, O; tungsten dominates above a few GeV", () => {
    expect(CAWO4.elements.reduce((s, e) => s + e.massFraction, 0)).toBeCloseTo(1, 12);
    const wFrac = CAWO4.elements.find((e) => e.element.symbol === "W")!.massFraction;
    expect(wFrac).toBeCloseTo(183.84 / (40.078 + 183.84 + 4 * 15.999), 10);
    const wimp = {mass_GeV: 100, sigma_cm2: 1e-45};
    const r = wimpRate(5, CAWO4, wimp);
    let sum = 0;
    for (const {element, massFraction} of CAWO4.elements) sum += massFraction * wimpRateElement(5, element, wimp);
    expect(r.total).toBeCloseTo(sum, 20);
    expect(r.byElement.W / r.total).toBeGreaterThan(0.9);
    // A 2 GeV WIMP cannot give tungsten a 1 keV recoil (v_min > v_esc + v_E) but can give oxygen one.
    const light = wimpRate(1, CAWO4, {mass_GeV: 2, sigma_cm2: 1e-40});
    expect(light.byElement.W).toBe(0);
    expect(light.byElement.O).toBeGreaterThan(0);
  });
});

describe("halo and form factor", () => {
  it("η(v_min) equals ⟨Θ(v − v_min)/v⟩ of the boosted truncated Maxwellian, by quadrature, in every branch", () => {
    // Monte-Carlo-free check: 2-D quadrature over galactic-frame speed u < v_esc and angle.
    const {v0_km_s: v0, vEsc_km_s: vEsc, vEarth_km_s: vE} = SHM_2021;
    const n = 600;
    const vMins = [0, 150, 300, 500, 700, 790];
    const num = new Float64Array(vMins.length);
    let den = 0;
    for (let i = 0; i < n; i++) {
      const u = ((i + 0.5) / n) * vEsc; // galactic-frame speed
      for (let j = 0; j < n; j++) {
        const c = -1 + (2 * (j + 0.5)) / n;
        const w = u * u * Math.exp(-(u * u) / (v0 * v0));
        const v = Math.sqrt(u * u + vE * vE + 2 * u * vE * c); // Earth-frame speed
        den += w;
        for (let k = 0; k < vMins.length; k++) if (v > vMins[k]) num[k] += w / v;
      }
    }
    for (let k = 0; k < vMins.length - 1; k++) expect(rel(meanInverseSpeed_s_km(vMins[k], SHM_2021), num[k] / den)).toBeLessThan(5e-3);
    // Near the end point (v_esc + v_E = 797.7 km/s) only an absolute comparison makes sense.
    expect(Math.abs(meanInverseSpeed_s_km(790, SHM_2021) - num[5] / den)).toBeLessThan(2e-3 * (num[0] / den));
    expect(meanInverseSpeed_s_km(vEsc + vE + 1, SHM_2021)).toBe(0);
  });

  it("Helm F² is 1 at zero and has its first zero at q r_n ≈ 4.49 (xenon ≈ 30 keV… )", () => {
    expect(helmFormFactorSq(0, XENON)).toBe(1);
    let minE = 0, minF = 1;
    for (let E = 1; E < 200; E += 0.05) {
      const f = helmFormFactorSq(E, XENON);
      if (f < minF) { minF = f; minE = E; }
    }
    expect(minF).toBeLessThan(1e-6);
    const c = 1.23 * Math.cbrt(XENON.A) - 0.6;
    const rn = Math.sqrt(c * c + (7 / 3) * Math.PI ** 2 * 0.52 ** 2 - 5 * 0.81);
    const q = 4.4934 / rn; // fm^-1
    const E0 = ((q * 197326.98) ** 2) / (2 * XENON.massAmu * AMU_GeV * 1e6);
    expect(rel(minE, E0)).toBeLessThan(0.01);
  });
});

describe("CEvNS", () => {
  it("total cross-section (F = 1) equals G_F² Q_W² E_ν²/(4π) (Freedman)", () => {
    for (const Enu of [1, 10, 30]) {
      const emax = cevnsMaxRecoil_keV(Enu, XENON);
      const total = integrateRate((E) => cevnsDiffCrossSection_cm2_keV(E, Enu, XENON, false), 0, emax, 2000);
      const qw = weakCharge(XENON);
      const mN = nucleusMass_GeV(XENON), E = Enu * 1e-3;
      // Exact for the given kinematics: σ = G_F² Q_W² m_N/(4π) (T − m_N T²/(4E²)), T = T_max.
      const T = emax * 1e-6;
      const exact = ((FERMI_GeV2 ** 2 * qw * qw * mN) / (4 * Math.PI)) * (T - (mN * T * T) / (4 * E * E)) * HBARC2_GeV2_cm2;
      const approx = ((FERMI_GeV2 ** 2 * qw * qw * E * E) / (4 * Math.PI)) * HBARC2_GeV2_cm2;
      expect(rel(total, exact)).toBeLessThan(1e-6);
      expect(rel(total, approx)).toBeLessThan(0.01);
    }
    // Xe, 10 MeV: σ ≈ 2.9e-39 cm² (the textbook 4.2e-45 cm² N² E²/MeV², N = 77).
    expect(rel(integrateRate((E) => cevnsDiffCrossSection_cm2_keV(E, 10, XENON, false), 0, cevnsMaxRecoil_keV(10, XENON), 2000),
      4.22e-45 * 77.293 ** 2 * 100 * (weakCharge(XENON) / 77.293) ** 2)).toBeLessThan(0.03);
  });

  it("rate from a line flux is Φ · dσ/dE · N_T; a narrow tabulated spectrum gives the same", () => {
    const line: NeutrinoFlux = {name: "10 MeV line", kind: "line", energy_MeV: 10, flux_cm2_s: 1e6};
    const nT = 1 / (nucleusMass_GeV(XENON) * GEV_PER_C2_IN_KG);
    expect(cevnsRateElement(1, XENON, line)).toBeCloseTo(1e6 * cevnsDiffCrossSection_cm2_keV(1, 10, XENON) * nT * 86400, 30);
    const e = Float64Array.from({length: 2001}, (_, i) => 9 + i * 0.001);
    const sd = 0.05;
    const phi = Float64Array.from(e, (x) => (1e6 * Math.exp(-0.5 * ((x - 10) / sd) ** 2)) / (sd * Math.sqrt(2 * Math.PI)));
    const spec: NeutrinoFlux = {name: "narrow", kind: "spectrum", energy_MeV: e, flux_cm2_s_MeV: phi};
    expect(rel(cevnsRate(1, LXE, [spec]), cevnsRate(1, LXE, [line]))).toBeLessThan(2e-3);
    // Kinematic end point: nothing above E_max.
    expect(cevnsRateElement(cevnsMaxRecoil_keV(10, XENON) * 1.001, XENON, line)).toBe(0);
    expect(flatErRate(5, 1e-5, 2, 10)).toBe(1e-5);
    expect(flatErRate(11, 1e-5, 2, 10)).toBe(0);
  });
});
