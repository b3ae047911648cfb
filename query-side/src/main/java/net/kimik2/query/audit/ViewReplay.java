package net.kimik2.query.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.kimik2.api.accounts.Role;
import net.kimik2.api.audit.FindViewProcessorsQuery;
import net.kimik2.api.audit.ReplayProgress;
import net.kimik2.api.audit.ReplayViewsCommand;
import net.kimik2.api.audit.ViewProcessorStatus;
import net.kimik2.api.audit.ViewProcessors;
import net.kimik2.api.platform.DomainException;
import net.kimik2.api.platform.ErrorCode;
import net.kimik2.api.platform.MetadataKeys;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import net.kimik2.api.audit.CancelReplayCommand;
import net.kimik2.query.platform.ViewTargets;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.annotation.MetaDataValue;
import org.axonframework.queryhandling.QueryHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Replays views from the event log and reports how far each view processor is (the operators' audit tool). */
@Component
class ViewReplay {

    private static final Logger log = LoggerFactory.getLogger(ViewReplay.class);

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final List<String> viewProcessors;
    /** The latest replay of each processor: where the head was when it started, and when. */
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    private final ViewTargets targets;
    private final MongoTemplate mongo;
    /** Switches a rebuilt view in once its replay has reached the head it started from. */
    private final ScheduledExecutorService switcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "view-replay-switch");
        t.setDaemon(true);
        return t;
    });

    /** A replay: where the head was when it started, and when; the tokens to go back to if it is cancelled. */
    private record Run(Instant startedAt, long total, Map<Integer, TrackingToken> before, Instant[] endedAt,
                       boolean[] cancelled) {

        boolean ended() {
            return endedAt[0] != null;
        }
    }

    ViewReplay(EventProcessingConfiguration processing, EventStore eventStore,
               @Value("${kimi.processing.view-processors:}") List<String> viewProcessors, ViewTargets targets,
               MongoTemplate mongo) {
        this.targets = targets;
        this.mongo = mongo;
        switcher.scheduleWithFixedDelay(this::switchFinished, 100, 100, TimeUnit.MILLISECONDS);
        this.processing = processing;
        this.eventStore = eventStore;
        this.viewProcessors = List.copyOf(viewProcessors);
    }

    @CommandHandler
    void handle(ReplayViewsCommand command, @MetaDataValue(MetadataKeys.ACTOR_ROLE) String actorRole) {
        if (!Role.ADMIN.name().equals(actorRole)) {
            throw new DomainException(ErrorCode.FORBIDDEN, null, "only an admin may replay views");
        }
        if (command.processors().isEmpty()) {
            throw DomainException.validation("processors", "name at least one view processor");
        }
        for (String name : command.processors()) {
            if (!viewProcessors.contains(name)) {
                throw DomainException.validation("processors", "unknown view processor; known: " + viewProcessors);
            }
        }
        List<String> names = command.processors().stream().distinct().toList();
        Long head = position(eventStore.createHeadToken());
        synchronized (runs) {
            // two replays of one view at once would rebuild it under its own feet
            for (String name : names) {
                Run run = runs.get(name);
                if (run != null && !run.ended()) {
                    throw DomainException.validation("processors", "a replay of " + name + " is still running");
                }
            }
            List<StreamingEventProcessor> processors = names.stream().map(n -> streaming(n).orElseThrow()).toList();
            // all at once: each shutdown waits up to a poll interval (1 s) for its worker, one after the other took ~5 s
            CompletableFuture.allOf(processors.stream().map(StreamingEventProcessor::shutdownAsync)
                    .toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
            Instant now = clock.instant();
            for (int i = 0; i < processors.size(); i++) {
                String name = names.get(i);
                runs.put(name, new Run(now, head == null ? 0 : head + 1, tokens(name), new Instant[1], new boolean[1]));
                // the rebuild goes into new collections; the old ones keep serving until the switch (ADR 0023)
                targets.beginShadow(name);
                StreamingEventProcessor processor = processors.get(i);
                try {
                    awaitStopped(processor);
                    targets.resetting(name, processor::resetTokens);
                } catch (RuntimeException e) {
                    // nothing was reset: the old view keeps its collections and its token
                    targets.cancel(name, mongo);
                    runs.remove(name);
                    processor.start();
                    throw e;
                }
                processor.start();
                log.info("replaying view processor {} into new collections", name);
            }
        }
    }

    /**
     * A tracking processor's shutdown future can complete while its worker threads are still counted as active,
     * and a reset then fails ("must be shut down"); seen under load with 100,000 events (issue 12 bench).
     */
    private static void awaitStopped(StreamingEventProcessor processor) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((processor.isRunning() || processor instanceof TrackingEventProcessor t && t.activeProcessorThreads() > 0)
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a processor to stop", e);
            }
        }
    }

    /** Cancels a running replay: its new collections are dropped, the old views and their tokens stay. */
    @CommandHandler
    void handle(CancelReplayCommand command, @MetaDataValue(MetadataKeys.ACTOR_ROLE) String actorRole) {
        if (!Role.ADMIN.name().equals(actorRole)) {
            throw new DomainException(ErrorCode.FORBIDDEN, null, "only an admin may cancel a replay");
        }
        synchronized (runs) {
            Run run = runs.get(command.processor());
            if (run == null || run.ended()) {
                throw DomainException.validation("processor", "no replay of this view is running");
            }
            StreamingEventProcessor processor = streaming(command.processor()).orElseThrow();
            processor.shutdownAsync().orTimeout(30, TimeUnit.SECONDS).join();
            targets.cancel(command.processor(), mongo);
            TokenStore store = processing.tokenStore(command.processor());
            run.before().forEach((segment, token) -> store.storeToken(token, command.processor(), segment));
            run.endedAt()[0] = clock.instant();
            run.cancelled()[0] = true;
            processor.start();
            log.info("replay of view processor {} cancelled", command.processor());
        }
    }

    private Map<Integer, TrackingToken> tokens(String name) {
        TokenStore store = processing.tokenStore(name);
        Map<Integer, TrackingToken> tokens = new java.util.HashMap<>();
        for (int segment : store.fetchSegments(name)) {
            TrackingToken token = store.fetchToken(name, segment);
            if (token != null) {
                tokens.put(segment, token);
            }
            store.releaseClaim(name, segment);
        }
        return tokens;
    }

    /** Puts every replay that reached its starting head in place of the old views. */
    private void switchFinished() {
        try {
            Long head = position(eventStore.createHeadToken());
            for (Map.Entry<String, Run> e : runs.entrySet()) {
                Run run = e.getValue();
                if (run.ended() || !targets.isShadowed(e.getKey())) {
                    continue;
                }
                ViewProcessorStatus status = streaming(e.getKey()).map(p -> status(e.getKey(), p, head)).orElse(null);
                if (status != null && status.caughtUp() && status.position() != null
                        && status.position() + 1 >= run.total()) {
                    synchronized (runs) {
                        if (!run.ended()) {
                            targets.switchToLive(e.getKey(), mongo);
                            run.endedAt()[0] = clock.instant();
                            log.info("view processor {} replayed: new collections switched in", e.getKey());
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("replay switch check failed", e);
        }
    }

    @PreDestroy
    void stop() {
        switcher.shutdownNow();
    }

    @QueryHandler
    ViewProcessors handle(FindViewProcessorsQuery query) {
        Long head = position(eventStore.createHeadToken());
        return new ViewProcessors(viewProcessors.stream()
                .map(name -> streaming(name).map(p -> status(name, p, head))
                        .orElse(new ViewProcessorStatus(name, false, false, false, null, head, "not a streaming processor")))
                .toList());
    }

    /** The lowest global position the named processor has handled, or {@code null} before its first event. */
    Long position(String name) {
        return streaming(name).map(p -> p.processingStatus().values().stream().map(EventTrackerStatus::getCurrentPosition)
                .filter(OptionalLong::isPresent).map(OptionalLong::getAsLong).min(Long::compare).orElse(null))
                .orElse(null);
    }

    private Optional<StreamingEventProcessor> streaming(String name) {
        return processing.eventProcessor(name, StreamingEventProcessor.class);
    }

    private ViewProcessorStatus status(String name, StreamingEventProcessor processor, Long head) {
        var statuses = processor.processingStatus().values();
        boolean replaying = statuses.stream().anyMatch(EventTrackerStatus::isReplaying);
        boolean caughtUp = !statuses.isEmpty() && statuses.stream().allMatch(EventTrackerStatus::isCaughtUp);
        Long position = statuses.stream().map(s -> s.getCurrentPosition())
                .filter(OptionalLong::isPresent).map(OptionalLong::getAsLong).min(Long::compare).orElse(null);
        String error = statuses.stream().filter(EventTrackerStatus::isErrorState)
                .map(s -> s.getError() == null ? "error" : s.getError().getClass().getSimpleName())
                .findFirst().orElse(null);
        Long lag = position == null || head == null ? null : Math.max(0, head - position);
        Double lagSeconds = lag == null ? null : lag == 0 ? Double.valueOf(0) : ageOfNextEvent(statuses.stream()
                .map(EventTrackerStatus::getTrackingToken).filter(java.util.Objects::nonNull)
                .min(java.util.Comparator.comparingLong(t -> t.position().orElse(Long.MAX_VALUE))).orElse(null));
        return new ViewProcessorStatus(name, processor.isRunning(), replaying, caughtUp, position, head, error, lag,
                lagSeconds, progress(name, caughtUp, position, head));
    }

    /** How old the first event after {@code token} is: one indexed read of the store. */
    private Double ageOfNextEvent(TrackingToken token) {
        try (BlockingStream<TrackedEventMessage<?>> stream = eventStore.openStream(WrappedToken.unwrapLowerBound(token))) {
            if (stream.hasNextAvailable()) {
                Instant at = stream.nextAvailable().getTimestamp();
                return Math.max(0, Duration.between(at, clock.instant()).toMillis()) / 1000.0;
            }
            return 0.0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (RuntimeException e) {
            log.debug("lag of a view processor not measured", e);
            return null;
        }
    }

    /** Done counts positions handled since the start of the log; the rate is over the whole run so far. */
    private ReplayProgress progress(String name, boolean caughtUp, Long position, Long head) {
        Run run = runs.get(name);
        if (run == null) {
            return null;
        }
        boolean finished = run.ended() && !run.cancelled()[0];
        long done = finished ? run.total() : position == null ? 0 : Math.min(run.total(), position + 1);
        Instant until = run.ended() ? run.endedAt()[0] : clock.instant();
        double seconds = Math.max(0.001, Duration.between(run.startedAt(), until).toMillis() / 1000.0);
        double rate = done / seconds;
        Long eta = finished ? Long.valueOf(0) : rate <= 0 ? null : (long) Math.ceil((run.total() - done) / rate);
        return new ReplayProgress(done, run.total(), rate, run.ended() && !finished ? null : eta, run.startedAt(),
                finished, run.cancelled()[0]);
    }

    private static Long position(TrackingToken token) {
        return token == null ? null : token.position().stream().boxed().findFirst().orElse(null);
    }
}
