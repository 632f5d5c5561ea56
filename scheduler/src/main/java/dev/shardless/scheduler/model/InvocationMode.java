package dev.shardless.scheduler.model;

/**
 * How a local replica runs the function (DESIGN.md §2). {@code HTTP}: {@code envProcess} is started
 * once per replica and serves HTTP on {@code PORT}. {@code CLASSIC}: {@code envProcess} is forked
 * once per request with the body on stdin, like the OpenFaaS classic watchdog.
 */
public enum InvocationMode {
  HTTP,
  CLASSIC
}
