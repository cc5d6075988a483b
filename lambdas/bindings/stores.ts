/**
 * The stores a stage can keep its readings and roll-ups in (`kaikai:stages.<stage>.store`): the
 * stack builds the chosen one and sets STORE, and each entry wires that store's adapters.
 */
export const STORES = ["timestream", "dynamodb"] as const;
export type StoreKind = (typeof STORES)[number];

/** What a stage uses when it names no store: the store the project was asked for. */
export const DEFAULT_STORE: StoreKind = "timestream";
