// Trains one fixture model per test run from the seeded generator, into a temporary folder used read-only.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateMarketplace } from '../data/synthetic/generate-marketplace.js';
import { trainModel } from '../training/train-model.js';

export interface FixtureModel {
  root: string;
  dataDir: string;
  modelsRoot: string;
  name: string;
  version: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fixtureModel: FixtureModel;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ringfence-fixture-'));
  const dataDir = path.join(root, 'data');
  const modelsRoot = path.join(root, 'models');
  await generateMarketplace(dataDir, { accounts: 1500, seed: 11 });
  // no secret given: the deployment's secret file is created in modelsRoot, where every loader of the fixture finds it
  const result = await trainModel({ dataDir, modelsRoot, name: 'fixture', seed: 3 });
  project.provide('fixtureModel', { root, dataDir, modelsRoot, name: result.name, version: result.version });
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
