/**
 * The arrows of docs/architecture.md ("Shape"), checked: `npm run arrows`, and in CI (.ci/run), where a
 * violation fails the run with the rule's name. Each rule is the architecture's sentence, said once.
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
      from: { path: "^lib/(orders|billing|ledger|kicc|events|webhooks)/" },
      to: { path: "^lib/(store|queue|runtime)/" },
    },
    {
      name: "rules-are-pure",
      comment:
        "A rule file (lib/*/rules/) decides from its arguments alone: no adapter, logger, HTTP, package or clock of its own.",
      severity: "error",
      from: { path: "^lib/[^/]+/rules/" },
      to: {
        path: "^lib/(store|queue|runtime|iamport|http|observability|webhooks)/|^lib/outbound-http|(^|/)node_modules/",
      },
    },
    {
      name: "rules-no-io-builtins",
      comment: "A rule file may hash (node:crypto), nothing else of Node's: no network, files or processes.",
      severity: "error",
      from: { path: "^lib/[^/]+/rules/" },
      to: { dependencyTypes: ["core"], pathNot: "^(node:)?crypto$" },
    },
    {
      name: "no-sdk-in-domain",
      comment: "Domain code imports neither aws-lambda types nor @aws-sdk.",
      severity: "error",
      from: { path: "^lib/(orders|billing|ledger|kicc|events|webhooks)/" },
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
