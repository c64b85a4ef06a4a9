// The guard that fails TUI tests on React warnings (helpers/no-react-warnings.ts, a vitest setup file)
// catches what React prints: a setState-in-effect loop and a list without keys.
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { useEffect, useState, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { assertNothingPrinted, takePrinted } from './helpers/react-warnings.js';

/** Sets state in an effect whose dependency changes on every render: React stops it after 50 rounds. */
function Looping(): ReactNode {
  const [count, setCount] = useState(0);
  // The fault on purpose: a dependency made anew on every render, and state set in the effect.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const every = { count };
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setCount((c) => c + 1);
  }, [every]);
  return <Text>{count}</Text>;
}

function Keyless(): ReactNode {
  return (
    <>
      {['a', 'b'].map((x) => (
        <Text>{x}</Text>
      ))}
    </>
  );
}

/** Another component: React warns about missing keys once per component. */
function KeylessToo(): ReactNode {
  return (
    <>
      {['c', 'd'].map((x) => (
        <Text>{x}</Text>
      ))}
    </>
  );
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

describe('the TUI tests React-warning guard', () => {
  it('reports "Maximum update depth exceeded" from an effect that sets state on every render', async () => {
    const app = render(<Looping />);
    await expect.poll(() => takePrinted().join('\n'), { timeout: 10_000 }).toContain('Maximum update depth exceeded');
    app.unmount();
    await settle();
    takePrinted();
  });

  it('fails with the message when a list has no keys', async () => {
    const app = render(<Keyless />);
    await settle();
    app.unmount();
    expect(() => {
      assertNothingPrinted('in this test');
    }).toThrow(/React or Ink printed .* in this test:\nconsole.error: .*unique "key" prop/s);
    assertNothingPrinted('after the guard took the warning');
  });

  // The setup file's afterEach fails a test that leaves a warning printed (it.fails: this test passes
  // only because the guard made it fail).
  it.fails('a test that printed a warning fails through the setup file', async () => {
    const app = render(<KeylessToo />);
    await settle();
    app.unmount();
  });
});
