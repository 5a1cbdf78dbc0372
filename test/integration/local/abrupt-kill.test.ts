/**
 * However the local stack's process dies, nothing it started stays behind:
 * `npm start` is run in a child process, killed with SIGKILL (no handler
 * runs, nothing is cleaned up by the stack itself), and every port any
 * process of its tree listened on, DynamoDB Local's Java included, must be
 * free again within a few seconds, so the next `npm start` can bind them.
 */
import { afterEach, describe, expect, test } from "vitest";
import {
  alive,
  canListen,
  descendants,
  listeningPorts,
  type StackProcess,
  startStackProcess,
  stillListening,
  waitFor,
} from "./support/stack-process.js";

/** Java sees its stdin close at once; the stack notices a dead parent within half a second, then stops. */
const FREED_WITHIN_MS = 15_000;

let running: StackProcess | undefined;
afterEach(() => {
  running?.killAll();
  running = undefined;
});

async function startAndSurvey() {
  running = await startStackProcess();
  const tree = descendants(running.child.pid ?? -1);
  const ports = listeningPorts(tree);
  const { api, sandbox, dynamo, sqs } = running.ports;
  // What `npm start` listens on: the API, the sandbox, the SQS stand-in and DynamoDB Local (in Java).
  expect([...ports.keys()].sort()).toEqual(expect.arrayContaining([api, sandbox, dynamo, sqs].sort()));
  const java = ports.get(dynamo);
  const node = ports.get(api);
  expect(java).toBeDefined();
  expect(node).toBeDefined();
  expect(java).not.toBe(node);
  return { stack: running, tree, ports: [...ports.keys()], node: node as number };
}

async function expectAllGone(tree: number[], ports: number[]): Promise<void> {
  const gone = await waitFor(
    () => tree.every((pid) => !alive(pid)) && stillListening(ports).length === 0,
    FREED_WITHIN_MS,
  );
  expect(
    gone,
    `still alive: ${tree.filter(alive).join(", ") || "none"}; still listening: ${stillListening(ports).join(", ") || "none"}`,
  ).toBe(true);
  for (const port of ports) expect(await canListen(port), `port ${port} can be listened on again`).toBe(true);
}

describe.skipIf(process.platform !== "linux")("a stack killed abruptly leaves nothing behind", () => {
  test("SIGKILL of the node process running local/start.ts: DynamoDB Local exits and every port is free", async () => {
    const { stack, tree, ports, node } = await startAndSurvey();

    process.kill(node, "SIGKILL");

    await expectAllGone(tree, ports);
    expect(stack.output()).not.toMatch(/already in use/);
  }, 120_000);

  test("SIGKILL of the process `npm start` starts (tsx's wrapper): the stack below it stops too", async () => {
    const { stack, tree, ports, node } = await startAndSurvey();
    expect(stack.child.pid).not.toBe(node);

    stack.child.kill("SIGKILL");

    await expectAllGone(tree, ports);
  }, 120_000);
});
