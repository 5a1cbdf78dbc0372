import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts Amazon's DynamoDB Local bound to one host (127.0.0.1 by default).
 *
 * The stock ServerRunner listens on every interface and has no host option; an
 * in-memory database with no authentication must never be reachable from the
 * network, so this launcher builds the server the same way and sets the Jetty
 * connector's host before starting it.
 *
 * With -DloopbackLauncher.exitWithStdin=true it also exits as soon as its
 * standard input ends. The process that starts it keeps the other end of that
 * pipe open; the kernel closes it when that process dies, however it dies
 * (SIGKILL and crashes included), so DynamoDB Local never outlives it and never
 * keeps its port.
 *
 * Usage: java -cp DynamoDBLocal.jar:DynamoDBLocal_lib/* LoopbackLauncher.java HOST [DynamoDB Local args...]
 */
public class LoopbackLauncher {
  public static void main(String[] args) throws Exception {
    if (Boolean.getBoolean("loopbackLauncher.exitWithStdin")) exitWhenStdinEnds();
    if (args.length < 1) {
      System.err.println("usage: LoopbackLauncher HOST [DynamoDB Local args]");
      System.exit(2);
    }
    String host = args[0];
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(rest);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    int bound = 0;
    for (Connector connector : jetty.getConnectors()) {
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).setHost(host);
        bound++;
      }
    }
    if (bound == 0) {
      System.err.println("DynamoDB Local: no connector found to bind to " + host);
      System.exit(3);
    }
    proxy.start();
    System.out.println("DynamoDB Local listening on " + host);
    proxy.join();
  }

  /** A daemon thread reading stdin until end of file (or an error), then exiting the JVM. */
  private static void exitWhenStdinEnds() {
    Thread watchdog =
        new Thread(
            () -> {
              byte[] buffer = new byte[256];
              try {
                // Whatever the parent writes is ignored; only the end of the stream matters.
                while (System.in.read(buffer) != -1) {}
              } catch (java.io.IOException ignored) {
                // A broken pipe means the same thing: the parent is gone.
              }
              // halt, not exit: no shutdown hook may keep an orphan alive (the data is in memory anyway).
              Runtime.getRuntime().halt(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
