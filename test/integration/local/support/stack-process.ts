/**
 * The local stack as `npm start` runs it (tsx running local/start.ts, on
 * free ports), in a child process of the test, plus what the tests need to
 * watch it from outside: its process tree and the TCP ports it listens on,
 * read from /proc (Linux), and raw HTTP requests that no client library would
 * send. Everything is on 127.0.0.1; every wait is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../../../local/dynamodb/dynamodb-local.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const TSX_CLI = join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
/** DynamoDB Local's Java start plus loading every handler; generous for a loaded 2-core machine. */
const READY_WITHIN_MS = 90_000;

export interface StackProcess {
  /** The process `npm start` starts: tsx's CLI, which runs local/start.ts in a child node process. */
  child: ChildProcess;
  ports: { api: number; sandbox: number; dynamo: number; sqs: number };
  output(): string;
  /** Kills every process of the tree still alive (SIGKILL, by pid); for cleanup. */
  killAll(): void;
}

export async function startStackProcess(): Promise<StackProcess> {
  const [api, sandbox, dynamo] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    API_PORT: String(api),
    SANDBOX_PORT: String(sandbox),
    DYNAMODB_PORT: String(dynamo),
    LOG_LEVEL: "error",
  };
  // The sandbox, whatever the developer's shell holds.
  for (const name of ["IAMPORT_API_KEY", "IAMPORT_API_SECRET", "IAMPORT_MERCHANT_CODE", "PUBLIC_API_URL"])
    delete env[name];
  const child = spawn(process.execPath, [TSX_CLI, "local/start.ts"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const seen = new Set<number>([child.pid ?? -1]);
  const killAll = () => {
    for (const pid of [...descendants(child.pid ?? -1), ...seen]) {
      try {
        if (alive(pid)) process.kill(pid, "SIGKILL");
      } catch {}
    }
  };
  const sqs = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      fail(new Error(`the stack was not ready within ${READY_WITHIN_MS} ms:\n${output}`));
    }, READY_WITHIN_MS);
    const poll = setInterval(() => {
      for (const pid of descendants(child.pid ?? -1)) seen.add(pid);
      const port = /SQS\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (output.includes("local stack ready") && port) {
        clearTimeout(timer);
        clearInterval(poll);
        ok(Number(port));
      }
    }, 50);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      fail(new Error(`the stack exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  }).catch((error: unknown) => {
    killAll();
    throw error;
  });
  return { child, ports: { api, sandbox, dynamo, sqs }, output: () => output, killAll };
}

interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
}

function readStat(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: the fields follow the last `)`.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0] ?? "?", ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Whether a process runs (a zombie holds no port and runs nothing: it counts as gone). */
export function alive(pid: number): boolean {
  const info = readStat(pid);
  return info !== null && info.state !== "Z" && info.state !== "X";
}

/** `root` and every process below it, living now. */
export function descendants(root: number): number[] {
  const all = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((info): info is ProcInfo => info !== null);
  const found = new Set<number>(all.some((p) => p.pid === root) ? [root] : []);
  // Bounded: each pass adds a generation; a process tree here is a handful of levels deep.
  for (let pass = 0; pass < 16; pass++) {
    const before = found.size;
    for (const p of all) if (found.has(p.ppid)) found.add(p.pid);
    if (found.size === before) break;
  }
  return [...found].filter(alive);
}

/** Inodes of the sockets `pid` holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode) inodes.add(inode);
      } catch {}
    }
  } catch {}
  return inodes;
}

/** Every listening TCP socket of this network namespace: port and owning socket inode. */
function listeningSockets(): Array<{ port: number; inode: string }> {
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) => {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[3] === "0A")
      .map((cols) => ({ port: Number.parseInt(cols[1]?.split(":")[1] ?? "0", 16), inode: cols[9] ?? "" }));
  });
}

/** The TCP ports the given processes listen on, with the process holding each. */
export function listeningPorts(pids: number[]): Map<number, number> {
  const byInode = new Map<string, number>();
  for (const pid of pids) for (const inode of socketInodes(pid)) byInode.set(inode, pid);
  const ports = new Map<number, number>();
  for (const socket of listeningSockets()) {
    const pid = byInode.get(socket.inode);
    if (pid !== undefined) ports.set(socket.port, pid);
  }
  return ports;
}

/** Ports among `ports` that something on this machine still listens on. */
export function stillListening(ports: number[]): number[] {
  const open = new Set(listeningSockets().map((s) => s.port));
  return ports.filter((port) => open.has(port));
}

/** Whether this process can listen on 127.0.0.1:`port` now (what the next `npm start` needs). */
export function canListen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const probe = createServer();
    probe.once("error", () => ok(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => ok(true)));
  });
}

export async function waitFor(condition: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return condition();
}

export interface RawAnswer {
  /** The status line's code, or null when the server closed (or the wait ended) without an answer. */
  status: number | null;
  text: string;
}

/**
 * Sends exactly `bytes` to 127.0.0.1:`port` and reads what comes back until
 * the server closes or `timeoutMs` passes. `hangUp: "end"` half-closes after
 * writing (a client that stops mid-body), `"destroy"` resets the connection
 * after `afterMs` without waiting for an answer.
 */
export function rawRequest(
  port: number,
  bytes: Buffer | string,
  options: { hangUp?: "wait" | "end" | "destroy"; afterMs?: number; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((ok) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host: "127.0.0.1", port });
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      ok({ status: status ? Number(status) : null, text });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5_000);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("connect", () => {
      socket.write(bytes);
      if (options.hangUp === "end") socket.end();
      if (options.hangUp === "destroy") setTimeout(finish, options.afterMs ?? 50);
    });
  });
}
