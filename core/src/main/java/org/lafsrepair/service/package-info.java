/**
 * The repair service: a Guava {@link com.google.common.util.concurrent.Service} that drains a
 * {@link org.lafsrepair.service.WorkQueue} of verify caps and storage indexes through a {@link
 * org.lafsrepair.service.RepairEngine}, checking every item first and repairing the riskiest
 * (fewest spare shares) first, throttled, retried with backoff, and crash-safe through the
 * queue's journal. {@link org.lafsrepair.service.DirectoryWorkQueue} is the work-queue directory
 * of docs/cli.md.
 */
package org.lafsrepair.service;
