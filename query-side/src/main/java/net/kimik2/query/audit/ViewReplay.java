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
import net.kimik2.axon.platform.NodeSignals;
import net.kimik2.query.platform.ViewTargets;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
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

/**
 * Replays views from the event log and reports how far each view processor is (the operators' audit tool).
 *
 * <p>With several nodes (ADR 0025) a replay is run by the node that receives it, alone: it tells the others to stop
 * that processor (signal {@value #PAUSE}, repeated every {@link #HEARTBEAT} while the replay runs), waits until it
 * can claim every segment, resets and replays them all into the shadows, switches them in and tells the others to
 * start again ({@value #RESUME}). A node that hears no heartbeat for {@link #PAUSE_LEASE} starts again by itself,
 * so a replaying node that dies leaves no view stopped for good. A node must therefore be able to process every
 * segment of the view (threads &gt;= segments) to run its replay.
 */
@Component
class ViewReplay {

    private static final Logger log = LoggerFactory.getLogger(ViewReplay.class);
    static final String PAUSE = "views-replay-pause";
    static final String RESUME = "views-replay-resume";
    static final Duration HEARTBEAT = Duration.ofSeconds(5);
    static final Duration PAUSE_LEASE = Duration.ofSeconds(30);
    /** How long a replay waits for the other nodes to let go of the segments. */
    static final Duration CLAIM_WAIT = Duration.ofSeconds(30);

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final List<String> viewProcessors;
    /** The latest replay of each processor: where the head was when it started, and when. */
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    private final ViewTargets targets;
    private final MongoTemplate mongo;
    private final NodeSignals signals;
    /** Processors this node stopped for another node's replay, with the last heartbeat heard. */
    private final Map<String, Instant> pausedFor = new ConcurrentHashMap<>();
    private volatile Instant lastHeartbeat = Instant.EPOCH;
    /** Switches a rebuilt view in once its replay has reached the head it started from. */
    private final ScheduledExecutorService switcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "view-replay-switch");
        t.setDaemon(true);
        return t;
    });

    /** A replay: where the head was when it started, and when; the tokens to go back to if it is cancelled. */
    private record Run(Instant startedAt, long total, Map<Integer, TrackingToken> before, Instant[] endedAt,
                       boolean[] cancelled, java.util.Set<Integer> heldBefore) {

        boolean ended() {
            return endedAt[0] != null;
        }
    }

    ViewReplay(EventProcessingConfiguration processing, EventStore eventStore,
               @Value("${kimi.processing.view-processors:}") List<String> viewProcessors, ViewTargets targets,
               MongoTemplate mongo, NodeSignals signals) {
        this.targets = targets;
        this.signals = signals;
        this.mongo = mongo;
        switcher.scheduleWithFixedDelay(this::switchFinished, 100, 100, TimeUnit.MILLISECONDS);
        this.processing = processing;
        this.eventStore = eventStore;
        this.viewProcessors = List.copyOf(viewProcessors);
        signals.subscribe(PAUSE, this::pauseForOtherNode);
        signals.subscribe(RESUME, this::resumeAfterOtherNode);
    }

    /** Another node replays {@code name}: stop processing it here, so that node can claim every segment. */
    private void pauseForOtherNode(String name) {
        Optional<StreamingEventProcessor> processor = streaming(name);
        if (processor.isEmpty() || !viewProcessors.contains(name)) {
            return;
        }
        Run run = runs.get(name);
        if (run != null && !run.ended()) {
            log.warn("another node replays view processor {} while this node does; keeping this one", name);
            return;
        }
        if (pausedFor.put(name, clock.instant()) == null) {
            log.info("view processor {} stopped on this node: another node replays it", name);
            processor.get().shutdownAsync(); // releases the claims; on the signal thread, so not awaited here
        }
    }

    private void resumeAfterOtherNode(String name) {
        if (pausedFor.remove(name) != null) {
            streaming(name).ifPresent(p -> p.shutdownAsync().whenComplete((ok, error) -> {
                p.start(); // claims only what the replaying node no longer holds
                log.info("view processor {} started again on this node", name);
            }));
        }
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
            for (int i = 0; i < names.size(); i++) {
                int segments = processing.tokenStore(names.get(i)).fetchSegments(names.get(i)).length;
                if (processors.get(i).maxCapacity() < segments) {
                    throw DomainException.validation("processors", names.get(i) + " has " + segments
                            + " segments and this node processes at most " + processors.get(i).maxCapacity()
                            + "; run the replay on a node whose kimi.processors.view-threads is at least " + segments);
                }
            }
            if (signals.distributed()) {
                names.forEach(name -> signals.publishNow(PAUSE, name));
                lastHeartbeat = clock.instant();
            }
            List<java.util.Set<Integer>> heldBefore = processors.stream()
                    .map(p -> java.util.Set.copyOf(p.processingStatus().keySet())).toList();
            // all at once: each shutdown waits up to a poll interval (1 s) for its worker, one after the other took ~5 s
            CompletableFuture.allOf(processors.stream().map(StreamingEventProcessor::shutdownAsync)
                    .toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
            Instant now = clock.instant();
            for (int i = 0; i < processors.size(); i++) {
                String name = names.get(i);
                StreamingEventProcessor processor = processors.get(i);
                Map<Integer, TrackingToken> before;
                try {
                    before = whenClaimable(() -> tokens(name));
                } catch (RuntimeException e) {
                    names.subList(i, names.size()).forEach(this::resumeOthers);
                    processor.start();
                    throw e;
                }
                runs.put(name, new Run(now, head == null ? 0 : head + 1, before, new Instant[1], new boolean[1],
                        signals.distributed() ? heldBefore.get(i) : null));
                // the rebuild goes into new collections; the old ones keep serving until the switch (ADR 0023)
                targets.beginShadow(name);
                try {
                    awaitStopped(processor);
                    whenClaimable(() -> {
                        targets.resetting(name, processor::resetTokens);
                        return null;
                    });
                } catch (RuntimeException e) {
                    // nothing was reset: the old view keeps its collections and its token
                    targets.cancel(name, mongo);
                    runs.remove(name);
                    names.subList(i, names.size()).forEach(this::resumeOthers);
                    processor.start();
                    throw e;
                }
                processor.start();
                log.info("replaying view processor {} into new collections", name);
            }
        }
    }

    /**
     * Runs {@code claiming} until no other node holds a segment it needs: the others stop the processor when they
     * hear the pause signal, which takes them up to a poll interval or two.
     */
    private <T> T whenClaimable(java.util.function.Supplier<T> claiming) {
        long deadline = System.nanoTime() + CLAIM_WAIT.toNanos();
        while (true) {
            try {
                return claiming.get();
            } catch (UnableToClaimTokenException e) {
                if (System.nanoTime() > deadline) {
                    throw DomainException.validation("processors",
                            "another node still processes this view; retry the replay later");
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the other nodes", interrupted);
                }
            }
        }
    }

    private void resumeOthers(String name) {
        if (signals.distributed()) {
            signals.publishNow(RESUME, name);
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
            resumeOthers(command.processor());
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
        heartbeats();
        try {
            Long head = position(eventStore.createHeadToken());
            for (Map.Entry<String, Run> e : runs.entrySet()) {
                Run run = e.getValue();
                if (run.ended() || !targets.isShadowed(e.getKey())) {
                    continue;
                }
                ViewProcessorStatus status = streaming(e.getKey()).map(p -> status(e.getKey(), p, head)).orElse(null);
                if (status != null && status.caughtUp() && status.position() != null
                        && status.position() + 1 >= run.total() && holdsEverySegment(e.getKey())) {
                    synchronized (runs) {
                        if (!run.ended()) {
                            targets.switchToLive(e.getKey(), mongo);
                            run.endedAt()[0] = clock.instant();
                            log.info("view processor {} replayed: new collections switched in", e.getKey());
                            resumeOthers(e.getKey());
                            giveBackSegments(e.getKey(), run);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("replay switch check failed", e);
        }
    }

    /**
     * After a replay with other nodes, the segments this node took only for the replay are released (for two claim
     * intervals, Axon's default), so that the nodes that processed them before take them back and the load is
     * split as it was.
     */
    private void giveBackSegments(String name, Run run) {
        if (run.heldBefore() == null) {
            return;
        }
        streaming(name).ifPresent(p -> p.processingStatus().keySet().stream()
                .filter(segment -> !run.heldBefore().contains(segment))
                .forEach(p::releaseSegment));
    }

    /** The local statuses cover the whole view only when this node holds every segment of it. */
    private boolean holdsEverySegment(String name) {
        int held = streaming(name).map(p -> p.processingStatus().size()).orElse(0);
        return held == processing.tokenStore(name).fetchSegments(name).length;
    }

    /** The replaying node repeats its pause; a paused node whose replayer fell silent starts again. */
    private void heartbeats() {
        try {
            Instant now = clock.instant();
            if (signals.distributed() && now.isAfter(lastHeartbeat.plus(HEARTBEAT))) {
                List<String> running = runs.entrySet().stream().filter(e -> !e.getValue().ended())
                        .map(Map.Entry::getKey).toList();
                running.forEach(name -> signals.publishNow(PAUSE, name));
                lastHeartbeat = now;
            }
            pausedFor.forEach((name, heard) -> {
                if (now.isAfter(heard.plus(PAUSE_LEASE))) {
                    log.warn("no word from the node replaying view processor {} for {}; starting it again here",
                            name, PAUSE_LEASE);
                    resumeAfterOtherNode(name);
                }
            });
        } catch (RuntimeException e) {
            log.warn("replay heartbeat failed", e);
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
