package net.kimik2.query.audit;

import net.kimik2.api.credits.CreditsCapturedEvent;
import net.kimik2.api.credits.CreditsGrantedEvent;
import net.kimik2.api.credits.CreditsHeldEvent;
import net.kimik2.api.credits.CreditsReleasedEvent;

/**
 * One person's credits folded from ledger events, by the ledger's own rules (available = granted - spent - held),
 * independently of the balance projection so that the two can be compared. Overflow fails loudly.
 */
final class BalanceFold {

    long available;
    long held;
    long spent;

    /** Applies one event; answers its signed effect on available credits, or {@code null} if it is no ledger event. */
    Long apply(Object payload) {
        if (payload instanceof CreditsGrantedEvent e) {
            available = Math.addExact(available, e.amount());
            return e.amount();
        } else if (payload instanceof CreditsHeldEvent e) {
            available = Math.subtractExact(available, e.amount());
            held = Math.addExact(held, e.amount());
            return -e.amount();
        } else if (payload instanceof CreditsReleasedEvent e) {
            available = Math.addExact(available, e.amount());
            held = Math.subtractExact(held, e.amount());
            return e.amount();
        } else if (payload instanceof CreditsCapturedEvent e) {
            available = Math.subtractExact(available, e.amount());
            spent = Math.addExact(spent, e.amount());
            return -e.amount();
        }
        return null;
    }

    static String userIdOf(Object payload) {
        if (payload instanceof CreditsGrantedEvent e) {
            return e.userId();
        } else if (payload instanceof CreditsHeldEvent e) {
            return e.userId();
        } else if (payload instanceof CreditsReleasedEvent e) {
            return e.userId();
        } else if (payload instanceof CreditsCapturedEvent e) {
            return e.userId();
        }
        return null;
    }
}
