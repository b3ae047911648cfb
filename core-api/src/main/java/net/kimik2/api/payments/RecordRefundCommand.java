package net.kimik2.api.payments;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** A charge's current refunded total (cumulative, so an older observation never undoes a newer one). */
public record RecordRefundCommand(
        @TargetAggregateIdentifier String paymentId,
        long amountRefunded,
        long chargeAmount,
        String currency) {
}
