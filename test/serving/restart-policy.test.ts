import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../../serving/restart-policy.js';

describe('RestartPolicy', () => {
  it('restarts workers that die at start with a growing pause, and gives up after three in a row', () => {
    const policy = new RestartPolicy({ startFailures: 3, crashes: 10, windowMs: 60_000 });
    expect(policy.exited(false, 'exit code 1', 0)).toEqual({ restartInMs: 200 });
    expect(policy.exited(false, 'exit code 1', 10)).toEqual({ restartInMs: 400 });
    const decision = policy.exited(false, 'exit code 1', 20);
    expect('giveUp' in decision && decision.giveUp).toMatch(/keep dying at start \(3 in a row, the last exit code 1\)/);
  });

  it('forgets failed starts once a worker serves', () => {
    const policy = new RestartPolicy({ startFailures: 2, crashes: 10, windowMs: 60_000 });
    expect(policy.exited(false, 'exit code 1', 0)).toEqual({ restartInMs: 200 });
    policy.started();
    expect(policy.exited(false, 'exit code 1', 10)).toEqual({ restartInMs: 200 });
  });

  it('restarts serving workers that die, until too many die within the window', () => {
    const policy = new RestartPolicy({ startFailures: 3, crashes: 2, windowMs: 1000 });
    expect(policy.exited(true, 'killed by SIGKILL', 0)).toEqual({ restartInMs: 100 });
    expect(policy.exited(true, 'killed by SIGKILL', 500)).toEqual({ restartInMs: 100 });
    // the first death is out of the window by now
    expect(policy.exited(true, 'killed by SIGKILL', 1200)).toEqual({ restartInMs: 100 });
    const decision = policy.exited(true, 'killed by SIGKILL', 1300);
    expect('giveUp' in decision && decision.giveUp).toMatch(/3 workers died within 1 s \(the last killed by SIGKILL\)/);
  });
});
