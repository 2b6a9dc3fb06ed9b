/** The time source, injected so tests and simulations control it. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
