export { analyzeRepository, type AnalyzeOptions } from './analyze.js';
export { checkoutRepository, type Checkout, type CheckoutOptions } from './checkout.js';
export { AppProfileSchema, type AppProfile, type FactSource, type ProfileEnv, type ProfilePort } from './profile.js';
export { profileToSpecHints, type SpecHints } from './spec-hints.js';
