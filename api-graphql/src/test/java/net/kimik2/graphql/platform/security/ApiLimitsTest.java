package net.kimik2.graphql.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OWASP API4 unrestricted resource consumption: limits in layers per person and per key")
class ApiLimitsTest {

    private static ApiLimits limits(int personRequests, int personTokens, int keyRequests, int keyTokens,
                                    int keyConcurrent) {
        return new ApiLimits(personRequests, personTokens, keyRequests, keyTokens, keyConcurrent, 1000);
    }

    @Test
    void aKeysRequestRateIsItsOwnAndThePersonsIsShared() {
        ApiLimits limits = limits(5, 1_000_000, 2, 1_000_000, 4);
        assertThat(limits.admit("u-1", "k-1")).isEmpty();
        assertThat(limits.admit("u-1", "k-1")).isEmpty();
        Optional<ApiLimits.Refusal> refused = limits.admit("u-1", "k-1");
        assertThat(refused).hasValueSatisfying(r -> {
            assertThat(r.limit()).isEqualTo("requests");
            assertThat(r.retryAfterSeconds()).isBetween(1L, 60L);
        });
        assertThat(limits.admit("u-1", "k-2")).isEmpty(); // another key of the same person
        assertThat(limits.admit("u-1", null)).isEmpty(); // GraphQL: the person's window
        assertThat(limits.admit("u-1", "k-3")).as("the person's 5 per minute are used up").isPresent();
        assertThat(limits.admit("u-2", "k-4")).as("another person").isEmpty();
        assertThat(limits.headers("u-1", "k-1")).containsEntry("x-ratelimit-limit-requests", "2")
                .containsEntry("x-ratelimit-remaining-requests", "0").containsKey("x-ratelimit-reset-requests")
                .containsEntry("x-ratelimit-limit-tokens", "1000000");
    }

    @Test
    void aSpentTokenBudgetRefusesUntilTheWindowRefills() {
        ApiLimits limits = limits(100, 1_000_000, 100, 500, 4);
        assertThat(limits.admit("u-1", "k-1")).isEmpty();
        limits.recordTokens("u-1", "k-1", 400);
        assertThat(limits.admit("u-1", "k-1")).isEmpty();
        limits.recordTokens("u-1", "k-1", 400); // more than is left: nothing left
        assertThat(limits.admit("u-1", "k-1")).hasValueSatisfying(r -> assertThat(r.limit()).isEqualTo("tokens"));
        assertThat(limits.headers("u-1", "k-1")).containsEntry("x-ratelimit-remaining-tokens", "0");
        assertThat(limits.admit("u-1", "k-2")).as("the person still has tokens").isEmpty();
    }

    @Test
    void aKeysConcurrentPromptsAreBounded() throws Exception {
        ApiLimits limits = limits(100, 1_000_000, 100, 1_000_000, 1);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = new Thread(() -> limits.withinKeyConcurrency("k-1", () -> {
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }));
        first.start();
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(limits.withinKeyConcurrency("k-1", () -> true)).isEmpty();
        assertThat(limits.withinKeyConcurrency("k-2", () -> true)).contains(true);
        release.countDown();
        first.join();
        assertThat(limits.withinKeyConcurrency("k-1", () -> true)).contains(true);
    }
}
