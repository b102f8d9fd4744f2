import { Foundation1763700000000 } from './1763700000000-foundation';
import { Push1763700000100 } from './1763700000100-push';
import { Access1763700000200 } from './1763700000200-access';
import { Transaction1763700000400 } from './1763700000400-transaction';
import { Visbio1763700000500 } from './1763700000500-visbio';
import { Hardening1763700000900 } from './1763700000900-hardening';
import { DeviceKind1763700000950 } from './1763700000950-device-kind';
import { CommandOutcomes1763700001000 } from './1763700001000-command-outcomes';
import { Convergence1763700001100 } from './1763700001100-convergence';
import { RealtimeIngest1763700001200 } from './1763700001200-realtime-ingest';
import { Attendance1763700001300 } from './1763700001300-attendance';
import { AttendancePushCenter1763700001301 } from './1763700001301-attendance-push-center';
import { Console1763700001500 } from './1763700001500-console';
import { ElevatorPassage1763700001600 } from './1763700001600-elevator-passage';
import { Modules1763700001700 } from './1763700001700-modules';
import { SyncVerify1763700002200 } from './1763700002200-sync-verify';
import { ModuleConfirmed1763700002300 } from './1763700002300-module-confirmed';
import { AttendanceConfirmed1763700002400 } from './1763700002400-attendance-confirmed';
import { AttlogGroupCommit1763700002700 } from './1763700002700-attlog-group-commit';
import { AttTerminalCountDue1763700002950 } from './1763700002950-att-terminal-count-due';
import { SyncOwedPlan1763700002960 } from './1763700002960-sync-owed-plan';
import { CommandLz41763700003000 } from './1763700003000-command-lz4';
import { CommandRefSummary1763700003100 } from './1763700003100-command-ref-summary';
import { PlannerCosts1763700003200 } from './1763700003200-planner-costs';
import { CommandSize1763700003300 } from './1763700003300-command-size';
import { EventPosition1763700003400 } from './1763700003400-event-position';
import { VerifyOthers1763700003500 } from './1763700003500-verify-others';
import { CommandValidity1763700003600 } from './1763700003600-command-validity';
import { PsgPassRule1763700003700 } from './1763700003700-psg-pass-rule';
import { SyncItemDeviceTrigger1763700003750 } from './1763700003750-sync-item-device-trigger';
import { DeviceUserLine1763700004000 } from './1763700004000-device-user-line';
import { VisitorCardIndex1763700004100 } from './1763700004100-visitor-card-index';
import { ModuleMonitorStart1763700004200 } from './1763700004200-module-monitor-start';
import { RefusalProbe1763700004300 } from './1763700004300-refusal-probe';
import { OneMainCard1763700004400 } from './1763700004400-one-main-card';
import { VisitorPinIndex1763700004500 } from './1763700004500-visitor-pin-index';
import { SyncItemFailedDelete1763700004600 } from './1763700004600-sync-item-failed-delete';
import { ModuleMonitorCreated1763700004700 } from './1763700004700-module-monitor-created';
import { DeviceDroppedDoors1763700004800 } from './1763700004800-device-dropped-doors';
import { DepartmentSortDefault1763700004820 } from './1763700004820-department-sort-default';
import { AttPersonTerminalAccess1763700004900 } from './1763700004900-att-person-terminal-access';
import { AttTerminalToldTimeZone1763700005010 } from './1763700005010-att-terminal-told-time-zone';
import { AttPersonTerminalDisabled1763700005020 } from './1763700005020-att-person-terminal-disabled';
import { AttTerminalCodePage1763700006200 } from './1763700006200-att-terminal-code-page';
import { DeviceRefusalHandedOut1763700006600 } from './1763700006600-device-refusal-handed-out';
import { MonitorHanded1763700006700 } from './1763700006700-monitor-handed';
import { DeviceRefusalExcessRows1763700006800 } from './1763700006800-device-refusal-excess-rows';
import { AttPunchKey1763700007200 } from './1763700007200-att-punch-key';
import { EventKeyCollation1763700007500 } from './1763700007500-event-key-collation';
import { RtlogEventRow1763700008100 } from './1763700008100-rtlog-event-row';
import { EventPinIndexPartial1763700008110 } from './1763700008110-event-pin-index-partial';
import { AttlogPunchRow1763700009100 } from './1763700009100-attlog-punch-row';
import { PunchKeyCollation1763700009110 } from './1763700009110-punch-key-collation';
import { VisitorModuleLevels1763700008400 } from './1763700008400-visitor-module-levels';
import { PushOutboxLeasedBy1763700008600 } from './1763700008600-push-outbox-leased-by';
import { SyncItemPriorHashes1763700009300 } from './1763700009300-sync-item-prior-hashes';
import { VisitorCardHash1763700009900 } from './1763700009900-visitor-card-hash';
import { TerminalCardHash1763700010200 } from './1763700010200-terminal-card-hash';
import { TerminalBioSlots1763700010210 } from './1763700010210-terminal-bio-slots';
import { FeedXmin1763700011700 } from './1763700011700-feed-xmin';
import { AttTerminalCountDueSince1763700012200 } from './1763700012200-att-terminal-count-due-since';
import { AttTerminalFingerprintCount1763700013400 } from './1763700013400-att-terminal-fingerprint-count';
import { AttTerminalBioPhoto1763700013600 } from './1763700013600-att-terminal-bio-photo';
import { AttOperlogCutShort1763700013710 } from './1763700013710-att-operlog-cut-short';
import { AttTerminalEndsLines1763700013911 } from './1763700013911-att-terminal-ends-lines';
import { DeviceDroppedReaders1764000003000 } from './1764000003000-device-dropped-readers';
import { DeviceRequestDelaySeconds1764400004000 } from './1764400004000-device-request-delay-seconds';
import { DeviceUploadErrorlogIndex1764400099000 } from './1764400099000-device-upload-errorlog-index';
import { PersonPinValueIndex1764600002000 } from './1764600002000-person-pin-value-index';
import { ParkAuthorizeTimes1764600002100 } from './1764600002100-park-authorize-times';
import { TallyIndexByDay1764800006000 } from './1764800006000-tally-index-by-day';
import { HepEventIndex1764800007000 } from './1764800007000-hep-event-index';
import { PersonSelfPwd1764900002000 } from './1764900002000-person-self-pwd';
import { SyncVerifyPinsAt1764900003000 } from './1764900003000-sync-verify-pins-at';
import { TallyRollup1764905000000 } from './1764905000000-tally-rollup';
import { CardValueCase1764100004000 } from './1764100004000-card-value-case';
import { SyncItemErrorLog1764300010000 } from './1764300010000-sync-item-error-log';
import { LinkPhotoLogIndex1765209000000 } from './1765209000000-link-photo-log-index';
import { DoorOptions1765300007000 } from './1765300007000-door-options';
import { DoorTimeZonesPasswords1765400002000 } from './1765400002000-door-time-zones-passwords';
import { FirstOpen1765400004000 } from './1765400004000-first-open';
import { PanelInterlockApb1765403000000 } from './1765403000000-panel-interlock-apb';

/** In order. Each migration is hand-reviewed; the schema drift test proves they match the entities. */
export const MIGRATIONS = [
  Foundation1763700000000,
  Push1763700000100,
  Access1763700000200,
  Transaction1763700000400,
  Visbio1763700000500,
  Hardening1763700000900,
  DeviceKind1763700000950,
  CommandOutcomes1763700001000,
  Convergence1763700001100,
  RealtimeIngest1763700001200,
  Attendance1763700001300,
  AttendancePushCenter1763700001301,
  Console1763700001500,
  ElevatorPassage1763700001600,
  Modules1763700001700,
  SyncVerify1763700002200,
  ModuleConfirmed1763700002300,
  AttendanceConfirmed1763700002400,
  AttlogGroupCommit1763700002700,
  AttTerminalCountDue1763700002950,
  SyncOwedPlan1763700002960,
  CommandLz41763700003000,
  CommandRefSummary1763700003100,
  PlannerCosts1763700003200,
  CommandSize1763700003300,
  EventPosition1763700003400,
  VerifyOthers1763700003500,
  CommandValidity1763700003600,
  PsgPassRule1763700003700,
  SyncItemDeviceTrigger1763700003750,
  DeviceUserLine1763700004000,
  VisitorCardIndex1763700004100,
  ModuleMonitorStart1763700004200,
  RefusalProbe1763700004300,
  OneMainCard1763700004400,
  VisitorPinIndex1763700004500,
  SyncItemFailedDelete1763700004600,
  ModuleMonitorCreated1763700004700,
  DeviceDroppedDoors1763700004800,
  DepartmentSortDefault1763700004820,
  AttPersonTerminalAccess1763700004900,
  AttTerminalToldTimeZone1763700005010,
  AttPersonTerminalDisabled1763700005020,
  AttTerminalCodePage1763700006200,
  DeviceRefusalHandedOut1763700006600,
  MonitorHanded1763700006700,
  DeviceRefusalExcessRows1763700006800,
  AttPunchKey1763700007200,
  EventKeyCollation1763700007500,
  RtlogEventRow1763700008100,
  EventPinIndexPartial1763700008110,
  VisitorModuleLevels1763700008400,
  PushOutboxLeasedBy1763700008600,
  AttlogPunchRow1763700009100,
  PunchKeyCollation1763700009110,
  SyncItemPriorHashes1763700009300,
  VisitorCardHash1763700009900,
  TerminalCardHash1763700010200,
  TerminalBioSlots1763700010210,
  FeedXmin1763700011700,
  AttTerminalCountDueSince1763700012200,
  AttTerminalFingerprintCount1763700013400,
  AttTerminalBioPhoto1763700013600,
  AttOperlogCutShort1763700013710,
  AttTerminalEndsLines1763700013911,
  DeviceDroppedReaders1764000003000,
  CardValueCase1764100004000,
  SyncItemErrorLog1764300010000,
  DeviceRequestDelaySeconds1764400004000,
  DeviceUploadErrorlogIndex1764400099000,
  PersonPinValueIndex1764600002000,
  ParkAuthorizeTimes1764600002100,
  TallyIndexByDay1764800006000,
  HepEventIndex1764800007000,
  PersonSelfPwd1764900002000,
  SyncVerifyPinsAt1764900003000,
  TallyRollup1764905000000,
  LinkPhotoLogIndex1765209000000,
  DoorOptions1765300007000,
  DoorTimeZonesPasswords1765400002000,
  FirstOpen1765400004000,
  PanelInterlockApb1765403000000,
];
