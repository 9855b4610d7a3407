// The profile schema is part of the contract (commands carry profiles), so it lives in src/shared.
export * from '../../shared/load-profile'
