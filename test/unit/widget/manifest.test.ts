// The custom-elements manifest against the element itself: the attributes it observes, the
// events its code dispatches, the members on its prototype, and the slots, parts and custom
// properties its template and styles use. Nothing here repeats the API's lists by hand.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import './fakeDom';
import { LiveKitWaitingRoomElement } from '../../../widget/element';
import { widgetApi } from '../../../widget/api';
import { CREDENTIAL_ATTRIBUTES, EVENT_OPTIONS, EVENT_PREFIX } from '../../../widget/contract';
import { customElementsManifest } from '../../../widget/manifest';
import { styles } from '../../../widget/styles';
import { template } from '../../../widget/template';

const manifest = customElementsManifest();
const declaration = manifest.modules[0]!.declarations[0]!;
const names = (items: readonly { name: string }[]): string[] => items.map((item) => item.name).sort();
const unique = (values: Iterable<string>): string[] => [...new Set(values)].sort();
const matches = (source: string, pattern: RegExp): string[] => unique([...source.matchAll(pattern)].flatMap((match) => match[1] ?? []));

describe('custom-elements.json', () => {
  it('is a schema 1.0.0 manifest that defines the tag with the element class', () => {
    expect(manifest.schemaVersion).toBe('1.0.0');
    expect(declaration).toMatchObject({ kind: 'class', customElement: true, tagName: widgetApi.tagName, name: widgetApi.className });
    const definitions = manifest.modules.flatMap((module) => module.exports).filter((entry) => entry.kind === 'custom-element-definition');
    expect(definitions).toEqual([{ kind: 'custom-element-definition', name: widgetApi.tagName, declaration: { name: widgetApi.className, module: manifest.modules[0]!.path } }]);
  });

  it('lists exactly the attributes the element observes', () => {
    expect(names(declaration.attributes)).toEqual([...LiveKitWaitingRoomElement.observedAttributes].sort());
  });

  it('documents which attributes reconnect and how each event is dispatched as the element does it', () => {
    expect(widgetApi.attributes.filter((attribute) => attribute.reconnects).map((attribute) => attribute.name)).toEqual(CREDENTIAL_ATTRIBUTES);
    for (const [type, doc] of Object.entries(widgetApi.events)) {
      expect([type, doc.bubbles, doc.cancelable ?? false]).toEqual([type, EVENT_OPTIONS[type as keyof typeof EVENT_OPTIONS].bubbles, EVENT_OPTIONS[type as keyof typeof EVENT_OPTIONS].cancelable ?? false]);
    }
  });

  it('lists exactly the events the element dispatches', () => {
    const source = readFileSync(path.resolve(__dirname, '../../../widget/element.ts'), 'utf8');
    // Every event goes out through fire(); a second way to dispatch would escape this check.
    expect(source.match(/new CustomEvent\(/g)).toHaveLength(1);
    expect(source.match(/dispatchEvent\(/g)).toHaveLength(1);
    // Each fire() goes out under the prefixed name and, for one more release, the old one.
    expect(names(declaration.events)).toEqual(unique(matches(source, /this\.fire\('([^']+)'/g).flatMap((name) => [`${EVENT_PREFIX}${name}`, name])));
  });

  it('lists properties and methods the element really has', () => {
    for (const member of declaration.members) expect([member.name, member.name in LiveKitWaitingRoomElement.prototype]).toEqual([member.name, true]);
  });

  it('lists exactly the slots and CSS parts of the template and the custom properties of the styles', () => {
    expect(names(declaration.slots)).toEqual(matches(template, /<slot name="([^"]+)"/g));
    expect(names(declaration.cssParts)).toEqual(unique(matches(template, /part="([^"]+)"/g).flatMap((parts) => parts.split(/\s+/))));
    expect(names(declaration.cssProperties)).toEqual(matches(styles, /var\((--lwr-[a-z-]+)/g));
  });
});
