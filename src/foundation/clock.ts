// The one place that reads the wall clock. Everything that needs time takes a Clock, so tests
// (and later replays) inject their own and the system clock is used only at the edges.
export type Clock = () => Date

export const systemClock: Clock = () => new Date()
