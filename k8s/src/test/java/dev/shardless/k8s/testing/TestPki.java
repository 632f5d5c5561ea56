package dev.shardless.k8s.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test control plane's keys and certificates, made with {@code openssl} in one directory: a CA,
 * the API server's serving certificate (for {@code 127.0.0.1}, {@code localhost} and the in-cluster
 * names), the service-account RSA key pair and a static token file holding one admin token in group
 * {@code system:masters}. Throwaway: 2048-bit keys, one JVM's life.
 */
record TestPki(
    Path caCert,
    Path caKey,
    Path servingCert,
    Path servingKey,
    Path serviceAccountKey,
    Path serviceAccountPub,
    Path tokenFile,
    String adminToken) {

  /** Creates everything under {@code dir}; output of openssl goes to {@code log}. */
  static TestPki create(Path dir, Path log) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path caCert = dir.resolve("ca.crt");
    Path caKey = dir.resolve("ca.key");
    Path cert = dir.resolve("apiserver.crt");
    Path key = dir.resolve("apiserver.key");
    Path csr = dir.resolve("apiserver.csr");
    Path ext = dir.resolve("apiserver.ext");
    Path saKey = dir.resolve("sa.key");
    Path saPub = dir.resolve("sa.pub");
    selfSigned(log, "/CN=shardless-test-ca", caKey, caCert);
    openssl(
        log,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=kube-apiserver",
        "-keyout",
        key.toString(),
        "-out",
        csr.toString());
    Files.writeString(
        ext,
        String.join(
            "\n",
            "basicConstraints=CA:FALSE",
            "keyUsage=digitalSignature,keyEncipherment",
            "extendedKeyUsage=serverAuth",
            "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.96.0.1,DNS:kubernetes,"
                + "DNS:kubernetes.default,DNS:kubernetes.default.svc",
            ""));
    openssl(
        log,
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        caCert.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-days",
        "3650",
        "-extfile",
        ext.toString(),
        "-out",
        cert.toString());
    openssl(log, "genrsa", "-out", saKey.toString(), "2048");
    openssl(log, "rsa", "-in", saKey.toString(), "-pubout", "-out", saPub.toString());
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    String token = HexFormat.of().formatHex(secret);
    Path tokens = dir.resolve("tokens.csv");
    Files.writeString(tokens, token + ",shardless-admin,shardless-admin,\"system:masters\"\n");
    return new TestPki(caCert, caKey, cert, key, saKey, saPub, tokens, token);
  }

  /**
   * A self-signed serving certificate for {@code 127.0.0.1} and its key in a PKCS#12 key store
   * {@code dir/<name>.p12} protected by {@code password}: what the stand-in kubelet serves HTTPS
   * with (the API server does not check a kubelet's certificate unless given a CA for it).
   */
  static Path selfSignedKeyStore(Path dir, String name, String password, Path log)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path key = dir.resolve(name + ".key");
    Path cert = dir.resolve(name + ".crt");
    Path store = dir.resolve(name + ".p12");
    selfSigned(
        log, "/CN=" + name, key, cert, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    openssl(
        log,
        "pkcs12",
        "-export",
        "-in",
        cert.toString(),
        "-inkey",
        key.toString(),
        "-name",
        name,
        "-passout",
        "pass:" + password,
        "-out",
        store.toString());
    return store;
  }

  /** A new RSA key {@code key} and a self-signed certificate {@code cert} for {@code subject}. */
  private static void selfSigned(Path log, String subject, Path key, Path cert, String... extra)
      throws IOException, InterruptedException {
    List<String> args = new java.util.ArrayList<>();
    args.addAll(
        List.of(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", subject));
    args.addAll(List.of(extra));
    args.addAll(List.of("-keyout", key.toString(), "-out", cert.toString()));
    openssl(log, args.toArray(String[]::new));
  }

  private static void openssl(Path log, String... args) throws IOException, InterruptedException {
    List<String> argv = new java.util.ArrayList<>(List.of("openssl"));
    argv.addAll(List.of(args));
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("openssl " + args[0] + " failed; see " + log);
    }
  }
}
