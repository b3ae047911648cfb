package net.kimik2.query.conversations;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.kimik2.api.conversations.AnswerRecordedEvent;
import net.kimik2.api.conversations.ConversationDeletedEvent;
import net.kimik2.api.conversations.ConversationMessages;
import net.kimik2.api.conversations.ConversationPage;
import net.kimik2.api.conversations.ConversationStartedEvent;
import net.kimik2.api.conversations.ConversationSummaryView;
import net.kimik2.api.conversations.ConversationView;
import net.kimik2.api.conversations.DailyUsageView;
import net.kimik2.api.conversations.FindConversationMessagesQuery;
import net.kimik2.api.conversations.FindConversationQuery;
import net.kimik2.api.conversations.FindConversationsQuery;
import net.kimik2.api.conversations.FindPromptAnswerQuery;
import net.kimik2.api.conversations.FindUsageSummaryQuery;
import net.kimik2.api.conversations.MessageView;
import net.kimik2.api.conversations.PromptChunkView;
import net.kimik2.api.conversations.PromptFailedEvent;
import net.kimik2.api.conversations.PromptFailureCode;
import net.kimik2.api.conversations.SendPromptCommand;
import net.kimik2.api.conversations.PromptSubmittedEvent;
import net.kimik2.api.conversations.TokenUsage;
import net.kimik2.api.conversations.UsageSummary;
import net.kimik2.api.privacy.ErasureCompletedEvent;
import net.kimik2.shredding.privacy.FieldCipher;
import net.kimik2.query.platform.Cursors;
import net.kimik2.query.platform.ViewCollections;
import net.kimik2.query.platform.SubjectDocuments;
import net.kimik2.query.platform.ViewBatch;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.queryhandling.QueryHandler;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.stereotype.Component;

/**
 * Conversations and their messages: one document per conversation and one per message. Titles and contents are
 * stored encrypted under the conversation's key and decrypted only when the owner reads them. A deleted
 * conversation, or every conversation of an erased person, is dropped, and a replay does not bring it back (its key
 * is gone). Answer documents carry their usage and UTC day, from which the usage summary is computed at read time
 * (no counters to double-count on redelivery).
 */
@Component
@ProcessingGroup("conversations-conversation")
class ConversationProjection implements SubjectDocuments {

    static final String CONVERSATIONS = "conversations_conversation";
    static final String MESSAGES = "conversations_message";
    private static final String CURSOR = "conversations";

    private final MongoTemplate mongo;
    private final FieldCipher cipher;

    ConversationProjection(MongoTemplate mongo, FieldCipher cipher) {
        this.mongo = mongo;
        this.cipher = cipher;
        ensureIndexes();
    }

    private void ensureIndexes() {
        mongo.indexOps(CONVERSATIONS).ensureIndex(new Index().on("userId", Sort.Direction.ASC)
                .on("rank", Sort.Direction.DESC));
        mongo.indexOps(MESSAGES).ensureIndex(new Index().on("conversationId", Sort.Direction.ASC)
                .on("seq", Sort.Direction.ASC));
        mongo.indexOps(MESSAGES).ensureIndex(new Index().on("userId", Sort.Direction.ASC)
                .on("day", Sort.Direction.ASC));
        mongo.indexOps(MESSAGES).ensureIndex(new Index().on("promptId", Sort.Direction.ASC));
    }

    @EventHandler
    void on(ConversationStartedEvent event, @SequenceNumber long sequence) {
        String scope = scope(event.conversationId());
        if (cipher.keys().isErased(scope)) {
            return; // replay after deletion or erasure: the conversation stays gone
        }
        ViewBatch.current().guardedUpdate(CONVERSATIONS, event.conversationId(), sequence, Updates.combine(
                Updates.set("userId", event.userId()),
                Updates.set("title", cipher.encryptString(scope, event.userId(), "title", event.title())),
                Updates.set("createdAt", Date.from(event.startedAt())),
                Updates.set("updatedAt", Date.from(event.startedAt())),
                Updates.set("rank", rank(event.startedAt()))));
    }

    @EventHandler
    void on(PromptSubmittedEvent event, @SequenceNumber long sequence) {
        Document message = new Document("role", "user").append("promptId", event.promptId());
        addMessage(event.conversationId(), event.userId(), event.messageId(), event.parentId(), event.content(),
                event.model(), event.submittedAt(), sequence, message);
    }

    @EventHandler
    void on(AnswerRecordedEvent event, @SequenceNumber long sequence) {
        TokenUsage usage = event.usage();
        Document message = new Document("role", "assistant")
                .append("promptId", event.promptId())
                .append("servedBy", event.servedBy())
                .append("day", LocalDate.ofInstant(event.answeredAt(), ZoneOffset.UTC).toString())
                .append("promptTokens", usage.promptTokens())
                .append("cachedTokens", usage.cachedTokens())
                .append("completionTokens", usage.completionTokens())
                .append("costCredits", usage.costCredits())
                .append("priceVersion", usage.priceVersion())
                .append("estimated", usage.estimated());
        addMessage(event.conversationId(), event.userId(), event.messageId(), event.parentId(), event.content(),
                event.model(), event.answeredAt(), sequence, message);
    }

    /**
     * A prompt that got no answer (the model failed, or the service died mid-answer and the prompt expired) shows as
     * a failed answer: an assistant message with empty content, no usage and the failure code, under the id a
     * later answer would have (an answer recorded after all replaces it).
     */
    @EventHandler
    void on(PromptFailedEvent event, @SequenceNumber long sequence) {
        Document message = new Document("role", "assistant")
                .append("promptId", event.promptId())
                .append("failureCode", event.failureCode() == null ? null : event.failureCode().name());
        addMessage(event.conversationId(), event.userId(), SendPromptCommand.messageId(event.promptId(), "assistant"),
                SendPromptCommand.messageId(event.promptId(), "user"), "", null, event.failedAt(), sequence, message);
    }

    /** Writes a message (content encrypted) and moves its conversation's updatedAt, unless the key is gone. */
    private void addMessage(String conversationId, String userId, String messageId, String parentId, String content,
                            String model, Instant at, long sequence, Document roleFields) {
        String scope = scope(conversationId);
        if (cipher.keys().isErased(scope)) {
            return; // replay after deletion or erasure
        }
        Document doc = new Document("_id", messageId)
                .append("conversationId", conversationId)
                .append("userId", userId)
                .append("seq", sequence)
                .append("parentId", parentId)
                .append("content", cipher.encryptString(scope, userId, "content", content))
                .append("model", model)
                .append("createdAt", Date.from(at));
        doc.putAll(roleFields);
        ViewBatch batch = ViewBatch.current();
        batch.replace(MESSAGES, messageId, doc);
        batch.guardedUpdate(CONVERSATIONS, conversationId, sequence, Updates.set("updatedAt", Date.from(at)));
    }

    @EventHandler
    void on(ConversationDeletedEvent event) {
        ViewBatch batch = ViewBatch.current();
        batch.deleteMany(MESSAGES, Filters.eq("conversationId", event.conversationId()));
        batch.deleteMany(CONVERSATIONS, Filters.eq("_id", event.conversationId()));
    }

    /** Erasure step 4 deleted the documents already (and counted them); this keeps a replay from leaving them. */
    @EventHandler
    void on(ErasureCompletedEvent event) {
        subjectDocuments(event.userId()).forEach(ViewBatch.current()::deleteMany);
    }

    @Override
    public Map<String, Bson> subjectDocuments(String userId) {
        // messages first: a repeated step never meets messages whose conversation is already gone
        Map<String, Bson> documents = new LinkedHashMap<>();
        documents.put(MESSAGES, Filters.eq("userId", userId));
        documents.put(CONVERSATIONS, Filters.eq("userId", userId));
        return documents;
    }

    @ResetHandler
    void reset() {
        ViewCollections.drop(mongo, CONVERSATIONS, MESSAGES);
        ensureIndexes();
    }

    @QueryHandler
    ConversationPage handle(FindConversationsQuery query) {
        Bson filter = Filters.eq("userId", query.userId());
        if (query.page().after() != null) {
            filter = Filters.and(filter, Filters.lt("rank", Cursors.decode(CURSOR, query.page().after())));
        }
        int first = query.page().first();
        List<Document> docs = mongo.getCollection(CONVERSATIONS).find(filter).sort(Sorts.descending("rank"))
                .limit(first + 1).into(new ArrayList<>());
        boolean hasNext = docs.size() > first;
        List<ConversationSummaryView> page = new ArrayList<>();
        for (Document d : hasNext ? docs.subList(0, first) : docs) {
            String id = d.getString("_id");
            page.add(new ConversationSummaryView(id, d.getString("userId"), title(id, d),
                    d.getDate("createdAt").toInstant(), d.getDate("updatedAt").toInstant(),
                    Cursors.encode(CURSOR, d.getLong("rank"))));
        }
        return new ConversationPage(page, hasNext, page.isEmpty() ? null : page.get(page.size() - 1).cursor());
    }

    @QueryHandler
    Optional<ConversationView> handle(FindConversationQuery query) {
        Document d = mongo.getCollection(CONVERSATIONS).find(Filters.and(Filters.eq("_id", query.conversationId()),
                Filters.eq("userId", query.userId()))).first();
        if (d == null) {
            return Optional.empty(); // missing and someone else's answer alike
        }
        List<MessageView> messages = new ArrayList<>();
        for (Document m : mongo.getCollection(MESSAGES).find(Filters.eq("conversationId", query.conversationId()))
                .sort(Sorts.ascending("seq"))) {
            messages.add(message(m, query.userId()));
        }
        return Optional.of(new ConversationView(query.conversationId(), query.userId(), title(query.conversationId(), d),
                d.getDate("createdAt").toInstant(), d.getDate("updatedAt").toInstant(), messages));
    }

    @QueryHandler
    ConversationMessages handle(FindConversationMessagesQuery query) {
        List<MessageView> messages = new ArrayList<>();
        Bson filter = Filters.and(Filters.in("conversationId", query.conversationIds()),
                Filters.eq("userId", query.userId()));
        for (Document m : mongo.getCollection(MESSAGES).find(filter).sort(Sorts.ascending("conversationId", "seq"))) {
            messages.add(message(m, query.userId()));
        }
        return new ConversationMessages(messages);
    }

    @QueryHandler
    Optional<PromptChunkView> handle(FindPromptAnswerQuery query) {
        Document m = mongo.getCollection(MESSAGES).find(Filters.and(Filters.eq("promptId", query.promptId()),
                Filters.eq("userId", query.userId()), Filters.eq("role", "assistant"))).first();
        if (m == null) {
            return Optional.empty();
        }
        MessageView answer = message(m, query.userId());
        if (answer.failureCode() != null) {
            return Optional.of(new PromptChunkView(query.promptId(), answer.conversationId(), query.userId(), 0,
                    "", true, null, answer.failureCode()));
        }
        return Optional.of(new PromptChunkView(query.promptId(), answer.conversationId(), query.userId(), 0,
                answer.content(), true, answer.usage(), null));
    }

    @QueryHandler
    UsageSummary handle(FindUsageSummaryQuery query) {
        List<Bson> pipeline = List.of(
                Aggregates.match(Filters.and(Filters.eq("userId", query.userId()), Filters.eq("role", "assistant"),
                        Filters.exists("failureCode", false),
                        Filters.gte("day", query.from().toString()), Filters.lte("day", query.to().toString()))),
                Aggregates.group(new Document("day", "$day").append("model", "$model"),
                        Accumulators.sum("answers", 1),
                        Accumulators.sum("promptTokens", "$promptTokens"),
                        Accumulators.sum("cachedTokens", "$cachedTokens"),
                        Accumulators.sum("completionTokens", "$completionTokens"),
                        Accumulators.sum("costCredits", "$costCredits"),
                        Accumulators.sum("estimatedAnswers",
                                new Document("$cond", List.of("$estimated", 1, 0)))));
        List<DailyUsageView> days = new ArrayList<>();
        for (Document g : mongo.getCollection(MESSAGES).aggregate(pipeline)) {
            Document key = g.get("_id", Document.class);
            days.add(new DailyUsageView(LocalDate.parse(key.getString("day")), key.getString("model"),
                    number(g, "answers").intValue(), number(g, "promptTokens").longValue(),
                    number(g, "cachedTokens").longValue(), number(g, "completionTokens").longValue(),
                    number(g, "costCredits").longValue(), number(g, "estimatedAnswers").intValue()));
        }
        days.sort(java.util.Comparator.comparing(DailyUsageView::day).reversed()
                .thenComparing(DailyUsageView::model));
        return new UsageSummary(days);
    }

    private MessageView message(Document m, String userId) {
        String conversationId = m.getString("conversationId");
        String failure = m.getString("failureCode");
        boolean answer = "assistant".equals(m.getString("role")) && failure == null;
        return new MessageView(m.getString("_id"), conversationId, userId, m.getString("parentId"),
                m.getString("role"),
                cipher.decryptString(scope(conversationId), "content", m.getString("content")).orElse("[erased]"),
                m.getString("model"), m.getString("servedBy"), m.getDate("createdAt").toInstant(),
                answer ? usage(m) : null, failure == null ? null : PromptFailureCode.valueOf(failure));
    }

    private static Number number(Document d, String key) {
        Object v = d.get(key);
        return v instanceof Number n ? n : 0;
    }

    private String title(String conversationId, Document d) {
        return cipher.decryptString(scope(conversationId), "title", d.getString("title")).orElse("[erased]");
    }

    private static TokenUsage usage(Document m) {
        return new TokenUsage(m.getInteger("promptTokens", 0), m.getInteger("cachedTokens", 0),
                m.getInteger("completionTokens", 0), m.getLong("costCredits"), m.getString("priceVersion"),
                m.getBoolean("estimated", false));
    }

    /** Newest first by start time in microseconds (the clock's resolution here). */
    private static long rank(Instant startedAt) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, startedAt);
    }

    private static String scope(String conversationId) {
        return "conversation:" + conversationId;
    }
}
