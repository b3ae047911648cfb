package net.kimik2.command.platform;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * One capability's part of a data export (access and portability, ADR 0021). Every bean of this type is asked in
 * turn; a capability that keeps data about people (payments' billing records, for example) adds one, and the
 * export includes it without further change. Write with the streaming generator (never build the whole part in
 * memory) and add readable lines to the summary.
 */
public interface ExportSection {

    /** The key of this part in {@code export.json}. */
    String name();

    /** Writes this part's value (an object or an array) for the person. */
    void write(String userId, JsonGenerator json, ExportSummary summary) throws IOException;
}
