// ringfence generate --world: presets by name, world files, and a clear error naming the file and the field.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTemporaryDirs } from '../temporary-dirs.js';
import { digestOfFolder as digestOf, runCliCaptured as run } from './run-cli-in-process.js';

const tempDir = useTemporaryDirs('ringfence-generate-');

describe('ringfence generate --world', () => {
  it('takes a preset by name or a world file (relative to the working folder); no --world is the baseline preset', async () => {
    const dir = await tempDir();
    const preset = await run(['generate', '--accounts', '300', '--seed', '2001', '--world', 'household-heavy', '--out', 'hh'], dir);
    expect(preset.code).toBe(0);
    expect(preset.stderr).toMatch(/world household-heavy: honest accounts in groups .*household \d+/);
    expect(await readdir(path.join(dir, 'hh'))).toEqual(expect.arrayContaining(['honest_groups.csv', 'rings.csv', 'labels.csv']));
    await writeFile(
      path.join(dir, 'tiny.json'),
      JSON.stringify({ name: 'tiny', description: 'agencies only', honest: { agencies: { account_share: 0.3 } } }),
    );
    const file = await run(['generate', '--accounts', '300', '--seed', '2001', '--world', 'tiny.json', '--out', 'tiny'], dir);
    expect(file.code).toBe(0);
    expect(file.stderr).toMatch(/world tiny: honest accounts in groups .*agency \d+/);
    expect((await run(['generate', '--accounts', '300', '--seed', '5', '--out', 'default'], dir)).code).toBe(0);
    expect((await run(['generate', '--accounts', '300', '--seed', '5', '--world', 'baseline', '--out', 'baseline'], dir)).code).toBe(0);
    expect(await digestOf(path.join(dir, 'default'))).toBe(await digestOf(path.join(dir, 'baseline')));
  });

  it('refuses a bad world file with the file and the field named, and writes nothing', async () => {
    const dir = await tempDir();
    const cases: [content: string, expected: RegExp][] = [
      [
        JSON.stringify({ name: 'w', description: 'd', honest: { agencies: { account_share: 2 } } }),
        /bad\.json is invalid: honest\.agencies\.account_share: /,
      ],
      [
        JSON.stringify({ name: 'w', description: 'd', fraud: { mix: { ring: 0.5, bot: 0.1 } } }),
        /bad\.json is invalid: fraud\.mix: the fraud kind shares must add up to 1/,
      ],
      [
        JSON.stringify({ name: 'w', description: 'd', honest: { households: { size: { min: 4, max: 2 } } } }),
        /honest\.households\.size: min must not exceed max/,
      ],
      [JSON.stringify({ name: 'w', description: 'd', honest: { agencys: {} } }), /bad\.json is invalid: honest: Unrecognized key: "agencys"/],
      [JSON.stringify({ description: 'd' }), /bad\.json is invalid: name: /],
      ['{ "name": ', /bad\.json: not valid JSON/],
    ];
    for (const [content, expected] of cases) {
      await writeFile(path.join(dir, 'bad.json'), content);
      const result = await run(['generate', '--accounts', '100', '--world', 'bad.json', '--out', 'out'], dir);
      expect(result.code, content).toBe(1);
      expect(result.stderr, content).toMatch(expected);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await run(['generate', '--accounts', '100', '--world', 'no-such-world', '--out', 'out'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/world no-such-world: no such preset or file; presets: baseline, agency-heavy, household-heavy/);
    expect(await readdir(dir)).toEqual(['bad.json']);
  });
});
