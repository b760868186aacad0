// Property tests are deterministic in CI: every fast-check run uses one seed unless FC_SEED says otherwise
// (set FC_SEED=random locally to explore new inputs; failures print the seed to replay).
import fc from "fast-check";

const env = process.env.FC_SEED;
if (env !== "random") fc.configureGlobal({ seed: env ? Number(env) : 20261124 });
