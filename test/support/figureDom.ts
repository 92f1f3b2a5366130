// jsdom for figure tests: a window whose document Plot and the scatter draw into (set as the
// globals for the test file), a 2-d canvas that only holds pixels (jsdom has none), and pointer
// drags at an element's own pixels.

import {JSDOM} from "jsdom";
import {afterAll, beforeAll} from "vitest";

/** A jsdom window made the global document/window/CustomEvent for the tests of the calling file. */
export function figureDom(): JSDOM {
  const dom = new JSDOM("");
  const g = globalThis as Record<string, unknown>;
  const saved = {document: g.document, window: g.window, CustomEvent: g.CustomEvent};
  beforeAll(() => {
    (dom.window.HTMLCanvasElement.prototype as unknown as {getContext: unknown}).getContext = () => ({
      createImageData: (w: number, h: number) => ({data: new Uint8ClampedArray(w * h * 4), width: w, height: h}),
      putImageData: () => {},
      clearRect: () => {}
    });
    Object.assign(g, {document: dom.window.document, window: dom.window, CustomEvent: dom.window.CustomEvent});
  });
  afterAll(() => Object.assign(g, saved));
  return dom;
}

/** A left-button drag on `target` from `from` to `to`, in its pixels (drawn at its own size at the page's origin). */
export function pointerDrag(dom: JSDOM, target: Element, from: [number, number], to: [number, number]): void {
  const width = Number(target.getAttribute("width")), height = Number(target.getAttribute("height"));
  Object.assign(target, {getBoundingClientRect: () => ({left: 0, top: 0, width, height}), setPointerCapture() {}, hasPointerCapture: () => true});
  const fire = (type: string, [x, y]: [number, number], buttons: number) => {
    const e = new dom.window.MouseEvent(type, {clientX: x, clientY: y, button: 0, buttons});
    Object.defineProperty(e, "pointerId", {value: 1});
    target.dispatchEvent(e);
  };
  fire("pointerdown", from, 1);
  fire("pointermove", to, 1);
  fire("pointerup", to, 0);
}
