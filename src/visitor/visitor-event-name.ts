/**
 * A visitor's access events carry the visitor's name, as CVSecurity's transactions show it: a visitor is no
 * person (vis_registration, 2.17), so the person join the event statements make leaves the name empty. This
 * lateral join, placed after `LEFT JOIN person <person>`, reads the name of the latest visit under the event's pin
 * (a pin is reused only by the same document's later visits) and only when no person has that pin; the event's
 * name column is then `COALESCE(<person>.name, vn.visitor_name)`. An index lookup per visitor event
 * (ix_vis_registration_pin), nothing for a person's.
 */
export function visitorNameJoin(pin: string, person: string): string {
  return `LEFT JOIN LATERAL (SELECT vr.visitor_name FROM vis_registration vr
      WHERE ${person}.id IS NULL AND vr.visitor_pin = ${pin} ORDER BY vr.created_at DESC LIMIT 1) vn ON true`;
}

/** The event's name: the person's, else the visitor's (visitorNameJoin). */
export const personOrVisitorName = (person: string): string => `COALESCE(${person}.name, vn.visitor_name)`;
