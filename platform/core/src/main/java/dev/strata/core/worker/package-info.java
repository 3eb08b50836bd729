/**
 * Worker processes: {@link dev.strata.core.worker.WorkerMain} is a child JVM that trains trials
 * read from stdin ({@link dev.strata.core.worker.Protocol}, JSON lines);
 * {@link dev.strata.core.worker.WorkerPool} keeps a number of them warm, dispatches trials to idle
 * ones, enforces time limits by killing, and restarts workers that die.
 */
package dev.strata.core.worker;
