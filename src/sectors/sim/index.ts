// The simulator framework every venue simulator shares (filled in by the simulator work).
export const simFramework = {}
