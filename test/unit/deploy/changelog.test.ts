// The CHANGELOG's shape, which a release relies on: `## Unreleased` first, then one
// `## [x.y.z] - YYYY-MM-DD` section per release, newest first, each made only of the known
// subsections; and the package's version (what /version, the image labels and the widget
// package report) is the newest release's.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const SUBSECTIONS = ['Changed (breaking)', 'Added', 'Fixed', 'Dependencies', 'Migration notes'];
const semver = (text: string) => text.split('.').map(Number);
const newer = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)];
  for (let index = 0; index < 3; index += 1) if ((x[index] as number) !== (y[index] as number)) return (x[index] as number) > (y[index] as number);
  return false;
};

test('the changelog opens with Unreleased, then releases newest first, each with known subsections only', () => {
  const sections = [...changelog.matchAll(/^## (.*)$/gm)].map((match) => match[1] as string);
  expect(sections[0]).toBe('Unreleased');
  const releases = sections.slice(1);
  for (const heading of releases) expect(heading).toMatch(/^\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/);
  const versions = releases.map((heading) => (/^\[(.*)\]/.exec(heading) as RegExpExecArray)[1] as string);
  for (let index = 1; index < versions.length; index += 1) expect(newer(versions[index - 1] as string, versions[index] as string)).toBe(true);
  for (const subsection of [...changelog.matchAll(/^### (.*)$/gm)].map((match) => match[1])) expect(SUBSECTIONS).toContain(subsection);
});

test("the package's version is the newest release's (0.1.0 until the first release section)", () => {
  expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  const newest = /^## \[(\d+\.\d+\.\d+)\]/m.exec(changelog)?.[1];
  expect(version).toBe(newest ?? '0.1.0');
});
