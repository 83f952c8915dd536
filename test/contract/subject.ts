/** What a contract runs against: a fresh, empty store, and a way to let time pass for the store's expiries. */
export type Subject<T> = { store: T; advance: (ms: number) => Promise<void> };

export type MakeSubject<T> = () => Promise<Subject<T>>;

export const SECOND = 1000;
export const DAY = 24 * 3600 * SECOND;
