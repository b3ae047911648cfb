package net.kimik2.graphql.privacy;

import java.io.OutputStream;
import net.kimik2.api.privacy.DataExportChunk;
import net.kimik2.api.privacy.DataExportView;
import net.kimik2.api.privacy.FindDataExportQuery;
import net.kimik2.api.privacy.ReadDataExportChunkQuery;
import net.kimik2.graphql.platform.security.Caller;
import net.kimik2.graphql.platform.security.CallerPrincipal;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * {@code GET <DataExport.downloadUrl>}: the export zip for its owner only (bearer token or session cookie), until
 * it expires. Streamed chunk by chunk (each decrypted under the export's key on the way), so memory stays bounded.
 * Anyone else, a missing, expired or shredded export: 404 without saying which.
 */
@RestController
class DataExportDownload {

    private final QueryGateway queries;

    DataExportDownload(QueryGateway queries) {
        this.queries = queries;
    }

    @GetMapping(DataExportController.DOWNLOAD_PATH + "{id}")
    ResponseEntity<StreamingResponseBody> download(@PathVariable String id) {
        CallerPrincipal caller = Caller.current().orElse(null);
        if (caller == null) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
        }
        DataExportView export = queries.query(new FindDataExportQuery(id, caller.userId()),
                ResponseTypes.optionalInstanceOf(DataExportView.class)).join().orElse(null);
        if (export == null || !export.status().equals("READY")) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).build();
        }
        DataExportChunk first = chunk(id, caller.userId(), 0);
        if (first.data().length == 0) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).build(); // the key is gone
        }
        String userId = caller.userId();
        StreamingResponseBody body = (OutputStream out) -> {
            DataExportChunk current = first;
            int index = 0;
            while (true) {
                out.write(current.data());
                if (current.last()) {
                    break;
                }
                current = chunk(id, userId, ++index);
            }
        };
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/zip"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"kimi-export-" + id + ".zip\"")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(body);
    }

    private DataExportChunk chunk(String id, String userId, int index) {
        return queries.query(new ReadDataExportChunkQuery(id, userId, index), ResponseTypes.instanceOf(DataExportChunk.class))
                .join();
    }
}
