package net.kimik2.graphql.platform.security;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.kimik2.api.platform.DomainError;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Bounds how many credential commands ({@code login}, {@code register}) run at once. Each costs one Argon2id
 * hash (16 MiB, a CPU for tens of milliseconds), a decoy one for an unknown user too, so without a bound a flood of
 * logins for unknown users starves every other request of CPU (and of database connections: the command holds one
 * while it hashes). A caller waits at most {@code max-wait} for a permit, without holding a connection (the permit is
 * taken before the command is sent), then is refused at once with BUSY and a retry hint. Known and unknown users
 * share one bulkhead, so a refusal tells nothing about whether an account exists.
 */
@Component
public class CredentialBulkhead {

    private final Semaphore permits;
    private final Duration maxWait;

    /** {@code maxConcurrent} 0 means half the processors (at least one). */
    @Autowired
    public CredentialBulkhead(@Value("${kimi.security.password-hashing.max-concurrent:0}") int maxConcurrent,
                              @Value("${kimi.security.password-hashing.max-wait:1s}") Duration maxWait) {
        this.permits = new Semaphore(
                maxConcurrent > 0 ? maxConcurrent : Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);
        this.maxWait = maxWait;
    }

    /** Runs {@code work} holding a permit, or throws BUSY when none came free within the maximum wait. */
    public <T> T run(Supplier<T> work) {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new DomainException(new DomainError(ErrorCode.BUSY, null,
                    "too many sign-ins at once; try again shortly", Map.of("retryAfterSeconds", 1L)));
        }
        try {
            return work.get();
        } finally {
            permits.release();
        }
    }
}
