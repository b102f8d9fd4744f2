/**
 * A test that names a day by the clock ("today", a leave date the console fills in) reads the clock once and then
 * asks the gateway, which reads it again: a run that reaches that step in the last seconds of a day names a day
 * that has ended by the time the gateway reads it. Such a step waits first until the day has at least `marginMs`
 * left in the zone (sleeping into the next day when it has not), so the test proves what it says whenever it runs.
 */
export async function clearOfMidnight(timeZone = 'UTC', marginMs = 15_000): Promise<void> {
  const left = msToMidnight(new Date(), timeZone);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 1000));
}

/** Milliseconds from `at` to the next midnight in the zone (the zone's offset read at `at`). */
export function msToMidnight(at: Date, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((x) => [x.type, Number(x.value)]),
  );
  const intoDay = ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 + at.getMilliseconds();
  return 86_400_000 - intoDay;
}
