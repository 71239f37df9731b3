public import VelocityTypes

/// A schedule that cannot be made, read or run as asked.
public typealias ScheduleError = DomainError<ScheduleErrorDomain>

/// The domain of `ScheduleError`.
public enum ScheduleErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    /// A cron expression that does not parse, or never fires.
    public static let cronInvalid: Self = "cron_invalid"
    /// A time zone that is not an IANA name this machine knows.
    public static let timeZoneInvalid: Self = "time_zone_invalid"
    /// No schedule with that id for this tenant.
    public static let scheduleNotFound: Self = "schedule_not_found"
    /// A schedule name the tenant already uses, or more schedules than a tenant may have.
    public static let scheduleConflict: Self = "schedule_conflict"
}

extension VelocityErrorCode {
    /// The job a tick was to make was refused for good (its kind is gone, its payload no longer
    /// fits): the run records why and no job is made.
    public static let scheduledJobRefused: Self = "scheduled_job_refused"
}
