/**
 * A visitor's access events carry the visitor's name, as CVSecurity's transactions show it: a visitor is no
 * person (vis_registration, 2.17), so the person join the event statements make leaves the name empty. The
 * event's name column is the person's name, or, only when no person has the event's pin, the name of the latest
 * visit under that pin (a pin is reused only by the same document's later visits): an index lookup per visitor
 * event (ix_vis_registration_pin), nothing for a person's.
 *
 * A scalar subquery under CASE rather than a LEFT JOIN LATERAL: the lateral join's Limit, Sort and Result nodes
 * were set up and rescanned for every event whose pin no person holds, and the batch statement cost PostgreSQL
 * 1.5 % more instructions per event that way (callgrind, docs/performance-log.md, stop 44). Same value in
 * every case: a person's row gives its name (even a null one), no person gives the visitor's name or null.
 *
 * `person` is the alias of `LEFT JOIN person <person> ON <person>.pin = <pin>` in the statement.
 */
export const personOrVisitorName = (person: string, pin: string): string =>
  `CASE WHEN ${person}.id IS NULL THEN (SELECT vr.visitor_name FROM vis_registration vr
      WHERE vr.visitor_pin = ${pin} ORDER BY vr.created_at DESC LIMIT 1) ELSE ${person}.name END`;
