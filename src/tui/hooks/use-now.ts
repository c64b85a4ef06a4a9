import { useEffect, useState } from 'react';

/** The current time, refreshed every `intervalMs` (for "3m ago" columns). */
export function useNow(intervalMs = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  }, [intervalMs]);
  return now;
}
