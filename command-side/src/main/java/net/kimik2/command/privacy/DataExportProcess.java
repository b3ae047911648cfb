package net.kimik2.command.privacy;

import net.kimik2.command.platform.ExportSummary;
import net.kimik2.command.platform.ExportSection;
import net.kimik2.command.platform.RetentionRule;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.kimik2.api.privacy.DataExportChunk;
import net.kimik2.api.privacy.DataExportRequestedEvent;
import net.kimik2.api.privacy.DataExportView;
import net.kimik2.api.privacy.ErasureRequestedEvent;
import net.kimik2.api.privacy.FindDataExportQuery;
import net.kimik2.api.privacy.ReadDataExportChunkQuery;
import net.kimik2.shredding.privacy.DataKeys;
import net.kimik2.shredding.privacy.EncryptedFiles;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.queryhandling.QueryHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Builds data exports asynchronously (a tracking processor: a crash mid-export resumes with the request) and serves
 * them in chunks. The zip ({@code export.json} from every {@link ExportSection}, and {@code summary.txt}) is
 * streamed straight into an {@link EncryptedFiles} file under the export's own key ({@code export:<id>}, owned by
 * the person): erasure destroys it with the person's other keys, and the retention rule after the link's expiry.
 */
@Component
@ProcessingGroup("privacy-export")
class DataExportProcess implements RetentionRule {

    private static final Logger log = LoggerFactory.getLogger(DataExportProcess.class);

    private final JdbcTemplate jdbc;
    private final EncryptedFiles files;
    private final DataKeys keys;
    private final List<ExportSection> sections;
    private final Path directory;
    private final Duration linkLifetime;
    private final Clock clock;
    private TransactionTemplate separate;

    @Autowired
    void separateTransactions(PlatformTransactionManager transactions) {
        this.separate = new TransactionTemplate(transactions);
        this.separate.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Autowired
    DataExportProcess(JdbcTemplate jdbc, EncryptedFiles files, DataKeys keys, List<ExportSection> sections,
                      @Value("${kimi.data-dir:./data}") String dataDir,
                      @Value("${kimi.retention.exports:PT24H}") Duration linkLifetime, ObjectProvider<Clock> clock) {
        this(jdbc, files, keys, sections, Path.of(dataDir, "exports"), linkLifetime, clock.getIfAvailable(Clock::systemUTC));
    }

    DataExportProcess(JdbcTemplate jdbc, EncryptedFiles files, DataKeys keys, List<ExportSection> sections,
                      Path directory, Duration linkLifetime, Clock clock) {
        this.jdbc = jdbc;
        this.files = files;
        this.keys = keys;
        this.sections = sections;
        this.directory = directory;
        this.linkLifetime = linkLifetime;
        this.clock = clock;
    }

    static String scope(String exportId) {
        return "export:" + exportId;
    }

    @EventHandler
    void on(DataExportRequestedEvent event) {
        if (jdbc.queryForList("SELECT status FROM data_export WHERE export_id = ?", String.class, event.exportId())
                .stream().anyMatch(s -> !s.equals("PENDING"))) {
            return; // done before a crash or replay
        }
        pending(event); // normally written already, in the request's transaction (DataExportRequests)
        if (keys.isErased("user:" + event.userId())) {
            visibly("UPDATE data_export SET status = 'FAILED' WHERE export_id = ?", event.exportId());
            return;
        }
        Path file = file(event.exportId());
        try {
            Files.createDirectories(directory);
            write(event, file);
            Instant ready = clock.instant();
            visibly("UPDATE data_export SET status = 'READY', progress = 100, ready_at = ?, expires_at = ?, "
                            + "size_bytes = ? WHERE export_id = ?", Timestamp.from(ready),
                    Timestamp.from(ready.plus(linkLifetime)), Files.size(file), event.exportId());
            log.info("data export {} ready", event.exportId());
        } catch (IOException | RuntimeException e) {
            log.warn("data export {} failed: {}", event.exportId(), e.getClass().getSimpleName());
            visibly("UPDATE data_export SET status = 'FAILED' WHERE export_id = ?", event.exportId());
        }
    }

    /** The PENDING row of a request (idempotent). */
    void pending(DataExportRequestedEvent event) {
        if (jdbc.queryForList("SELECT 1 FROM data_export WHERE export_id = ?", Integer.class, event.exportId()).isEmpty()) {
            jdbc.update("INSERT INTO data_export (export_id, user_id, status, progress, requested_at) "
                    + "VALUES (?, ?, 'PENDING', 0, ?)", event.exportId(), event.userId(), Timestamp.from(event.requestedAt()));
        }
    }

    /**
     * Status and progress are committed at once, apart from the processor's transaction (which lasts the whole
     * export), so that {@code dataExport} shows them while the export runs. A crash after READY and before the
     * token moves replays the event, which then sees READY and skips.
     */
    private void visibly(String sql, Object... args) {
        if (separate == null) {
            jdbc.update(sql, args);
        } else {
            separate.executeWithoutResult(status -> jdbc.update(sql, args));
        }
    }

    private void write(DataExportRequestedEvent event, Path file) throws IOException {
        ExportSummary summary = new ExportSummary();
        try (OutputStream encrypted = files.create(file, scope(event.exportId()), event.userId());
             ZipOutputStream zip = new ZipOutputStream(encrypted)) {
            zip.putNextEntry(new ZipEntry("export.json"));
            JsonGenerator json = new JsonFactory().createGenerator(new NonClosing(zip), JsonEncoding.UTF8);
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("exportId", event.exportId());
            json.writeStringField("userId", event.userId());
            json.writeStringField("requestedAt", event.requestedAt().toString());
            json.writeObjectFieldStart("sections");
            int done = 0;
            for (ExportSection section : sections) {
                json.writeFieldName(section.name());
                section.write(event.userId(), json, summary);
                json.flush();
                done++;
                visibly("UPDATE data_export SET progress = ? WHERE export_id = ?",
                        Math.min(99, done * 100 / Math.max(1, sections.size())), event.exportId());
            }
            json.writeEndObject();
            json.writeEndObject();
            json.close();
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("summary.txt"));
            zip.write(summary.render("Your data at Kimi K2 (export " + event.exportId() + ", requested "
                    + event.requestedAt() + ")").getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    /** Erasure destroys the export keys with the person's others; the files go too. */
    @EventHandler
    void on(ErasureRequestedEvent event) {
        for (String exportId : jdbc.queryForList("SELECT export_id FROM data_export WHERE user_id = ?", String.class,
                event.userId())) {
            jdbc.update("UPDATE data_export SET status = 'ERASED' WHERE export_id = ?", exportId);
        }
    }

    private Path file(String exportId) {
        return directory.resolve(exportId + ".zip.enc");
    }

    @QueryHandler
    Optional<DataExportView> handle(FindDataExportQuery query) {
        return jdbc.query("SELECT export_id, user_id, status, progress, requested_at, ready_at, expires_at, size_bytes "
                        + "FROM data_export WHERE export_id = ? AND user_id = ?",
                (rs, i) -> new DataExportView(rs.getString(1), rs.getString(2), status(rs.getString(3),
                        rs.getTimestamp(7)), rs.getInt(4), rs.getTimestamp(5).toInstant(), instant(rs.getTimestamp(6)),
                        instant(rs.getTimestamp(7)), rs.getLong(8)),
                query.exportId(), query.userId()).stream().findFirst();
    }

    private String status(String stored, Timestamp expiresAt) {
        return stored.equals("READY") && expiresAt != null && !expiresAt.toInstant().isAfter(clock.instant())
                ? "EXPIRED" : stored;
    }

    @QueryHandler
    DataExportChunk handle(ReadDataExportChunkQuery query) {
        Optional<DataExportView> export = handle(new FindDataExportQuery(query.exportId(), query.userId()));
        if (export.isEmpty() || !export.get().status().equals("READY")) {
            return new DataExportChunk(new byte[0], true);
        }
        Path file = file(query.exportId());
        try {
            if (!Files.exists(file)) {
                return new DataExportChunk(new byte[0], true);
            }
            int count = files.chunkCount(file);
            byte[] data = files.readChunk(file, scope(query.exportId()), query.chunk()).orElse(new byte[0]);
            return new DataExportChunk(data, query.chunk() >= count - 1 || data.length == 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "exports";
    }

    /** Retention: an export past its link's expiry is shredded (its key destroyed) and its file deleted. */
    @Override
    public int apply(Instant now, Set<String> heldUserIds) {
        int count = 0;
        for (var row : jdbc.queryForList("SELECT export_id, user_id FROM data_export WHERE status = 'READY' "
                + "AND expires_at <= ?", Timestamp.from(now))) {
            String exportId = (String) row.get("EXPORT_ID");
            String userId = (String) row.get("USER_ID");
            if (heldUserIds.contains(userId)) {
                continue;
            }
            keys.fence(scope(exportId), userId, "retention:" + exportId);
            keys.destroy(scope(exportId));
            try {
                Files.deleteIfExists(file(exportId));
            } catch (IOException e) {
                log.warn("export file {} not deleted (its key is destroyed): {}", exportId, e.getClass().getSimpleName());
            }
            jdbc.update("UPDATE data_export SET status = 'EXPIRED' WHERE export_id = ?", exportId);
            count++;
        }
        return count;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** Keeps the generator from closing the zip stream when it is closed. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
