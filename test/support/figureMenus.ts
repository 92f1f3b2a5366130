// What a page test reads of the figure download menus (src/components/figureMenu.ts): every
// Plot figure on the page, found here independently of the menu's own search, and whether a
// menu with SVG and PNG buttons sits on it (inside a <figure>, or right after an <svg>).
import type {Page} from "playwright-core";

export async function figureMenus(page: Page): Promise<{figures: number; missing: string[]}> {
  return page.evaluate(() => {
    const main = document.querySelector("#observablehq-main")!;
    const plotSvgs = Array.from(main.querySelectorAll("svg")).filter((s) => /^plot-[0-9a-f]+$/.test(s.getAttribute("class") ?? ""));
    // A Plot svg belongs to the outermost Plot <figure> or lib/plot composite around it.
    const owners = new Set(plotSvgs.map((s) => {
      let owner: Element = s;
      for (let e = s.parentElement; e && e !== main; e = e.parentElement)
        if (/^plot-[0-9a-f]+-figure$/.test(e.getAttribute("class") ?? "") || e.classList.contains("selectable-scatter")) owner = e;
      return owner;
    }));
    const hasMenu = (f: Element) => {
      const menu = f.tagName === "FIGURE" ? f.querySelector(":scope > .pulsebook-download") : f.nextElementSibling?.matches(".pulsebook-download") ? f.nextElementSibling : null;
      return !!menu?.querySelector('[data-format="svg"]') && !!menu.querySelector('[data-format="png"]');
    };
    const missing = [...owners].filter((f) => !hasMenu(f)).map((f) => `${f.tagName.toLowerCase()}.${f.getAttribute("class")} near "${(f.closest("div, figure")?.previousElementSibling?.textContent ?? "").slice(0, 60)}"`);
    return {figures: owners.size, missing};
  });
}
