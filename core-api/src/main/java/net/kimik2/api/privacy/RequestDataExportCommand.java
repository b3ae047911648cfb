package net.kimik2.api.privacy;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Starts an export of everything held about the person; answers the export id. */
public record RequestDataExportCommand(@TargetAggregateIdentifier String userId, String exportId) {
}
