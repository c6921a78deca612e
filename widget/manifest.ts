// The Custom Elements Manifest (schema 1.0.0, custom-elements-manifest.open-wc.org) built from
// widgetApi, so editors, linters and docs tools see the same API the element implements. Used
// by the build only: the widget's bundles do not import it.

import { widgetApi, type WidgetApi } from './api';
import { EVENT_PREFIX } from './contract';

/** The module paths are relative to dist/widget, where the manifest is written. */
export const MODULE_PATH = 'index.js';
export const BUNDLE_PATH = 'livekit-waiting-room.js';

export const CUSTOM_ELEMENTS_SCHEMA_VERSION = '1.0.0';

const type = (text: string) => ({ text });

export function customElementsManifest(api: WidgetApi = widgetApi) {
  const declaration = { name: api.className, module: MODULE_PATH };
  return {
    schemaVersion: CUSTOM_ELEMENTS_SCHEMA_VERSION,
    readme: '',
    modules: [
      {
        kind: 'javascript-module',
        path: MODULE_PATH,
        declarations: [
          {
            kind: 'class',
            name: api.className,
            description: api.description,
            customElement: true,
            tagName: api.tagName,
            superclass: { name: 'HTMLElement' },
            attributes: api.attributes.map((attribute) => ({
              name: attribute.name,
              type: type(attribute.type),
              ...(attribute.default === undefined ? {} : { default: attribute.default }),
              ...(attribute.fieldName === undefined ? {} : { fieldName: attribute.fieldName }),
              description: attribute.description,
            })),
            members: [
              ...api.properties.map((property) => ({
                kind: 'field',
                name: property.name,
                type: type(property.type),
                privacy: 'public',
                ...(property.readonly ? { readonly: true } : {}),
                description: property.description,
              })),
              ...api.methods.map((method) => ({
                kind: 'method',
                name: method.name,
                privacy: 'public',
                return: { type: type(method.returns) },
                description: method.description,
              })),
            ],
            events: Object.entries(api.events).flatMap(([name, event]) => [
              {
                name: `${EVENT_PREFIX}${name}`,
                type: type(`CustomEvent<${event.detail}>`),
                description: `${event.description} ${event.bubbles ? 'Bubbles, composed.' : 'Does not bubble.'}`,
              },
              {
                name,
                type: type(`CustomEvent<${event.detail}>`),
                description: `Deprecated: the old name of \`${EVENT_PREFIX}${name}\`, dispatched after it until the next release.`,
              },
            ]),
            slots: api.slots.map(({ name, description }) => ({ name, description })),
            cssParts: api.cssParts.map(({ name, description }) => ({ name, description })),
            cssProperties: api.cssProperties.map(({ name, syntax, default: initial, description }) => ({ name, syntax, default: initial, description })),
          },
        ],
        exports: [{ kind: 'js', name: api.className, declaration }],
      },
      {
        kind: 'javascript-module',
        path: BUNDLE_PATH,
        declarations: [],
        exports: [{ kind: 'custom-element-definition', name: api.tagName, declaration }],
      },
    ],
  };
}
