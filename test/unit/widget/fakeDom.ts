// Just enough DOM for the element class to load and dispatch in node: an HTMLElement whose
// attributes live in a map and whose dispatched events are recorded, and a document with a
// lang. No rendering: the view needs a real browser (the e2e suite).
// Installed on import: import this module before widget/element, which extends HTMLElement at load.

export class FakeHTMLElement {
  readonly dispatched: Event[] = [];
  private readonly attributeValues = new Map<string, string>();

  getAttribute(name: string): string | null {
    return this.attributeValues.get(name) ?? null;
  }
  setAttribute(name: string, value: string): void {
    this.attributeValues.set(name, value);
  }
  hasAttribute(name: string): boolean {
    return this.attributeValues.has(name);
  }
  toggleAttribute(name: string, force?: boolean): boolean {
    const on = force ?? !this.attributeValues.has(name);
    if (on) this.attributeValues.set(name, '');
    else this.attributeValues.delete(name);
    return on;
  }
  closest(): null {
    return null;
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  dispatchEvent(event: Event): boolean {
    this.dispatched.push(event);
    return true;
  }
}

Object.assign(globalThis, { HTMLElement: FakeHTMLElement, document: { documentElement: { lang: 'en' }, baseURI: 'http://127.0.0.1/' } });
