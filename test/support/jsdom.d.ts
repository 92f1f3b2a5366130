// jsdom ships without types (it comes with @observablehq/framework); the tests need only a
// window with a document to let Observable Plot draw outside a browser.
declare module "jsdom" {
  export class JSDOM {
    constructor(html?: string);
    readonly window: Window & typeof globalThis;
  }
}
