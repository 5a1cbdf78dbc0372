/**
 * The arrows of docs/architecture.md, checked (`npm run arrows`). Issue 11 moves the code until this
 * passes with zero violations; until then it lists where the house runs backwards.
 */
module.exports = {
  forbidden: [
    {
      name: "functions-only-to-lib",
      comment:
        "A Lambda wires lib: it imports nothing from local, sandbox, demo, chaos, ops or another function.",
      severity: "error",
      from: { path: "^functions/" },
      to: { path: "^(local|sandbox|demo|chaos|ops|bench|scripts|functions)/", pathNot: "^functions/[^/]+$" },
    },
    {
      name: "lib-not-to-outside",
      comment: "Nothing in lib imports functions, local, sandbox, demo, chaos, ops or bench.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^(functions|local|sandbox|demo|chaos|ops|bench|scripts)/" },
    },
    {
      name: "sandbox-apart",
      comment: "The sandbox is iamport's stand-in: it and lib never import each other.",
      severity: "error",
      from: { path: "^sandbox/" },
      to: { path: "^(lib|functions|local|demo|ops)/" },
    },
    {
      name: "domain-not-to-adapters",
      comment:
        "Orders, billing and the ledger declare ports; the store, iamport client and queue implement them.",
      severity: "error",
      from: { path: "^lib/(orders|billing|ledger|kicc|events)/" },
      to: { path: "^lib/(store|queue|runtime)/" },
    },
    {
      name: "no-sdk-in-domain",
      comment: "Domain code imports neither aws-lambda types nor @aws-sdk.",
      severity: "error",
      from: { path: "^lib/(orders|billing|ledger|kicc|events)/" },
      to: { path: "(^|/)node_modules/(@aws-sdk|aws-lambda|@types/aws-lambda)/" },
    },
    {
      name: "no-cycles",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
