#include "core/time_parse.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur {
namespace {

using ::testing::HasSubstr;

// The `now` every relative time is read against: 2026-11-22T17:44:00Z.
const absl::Time kNow = absl::FromUnixSeconds(1795369440);

// 2026-11-22T10:00:00Z built from its civil fields, independently of the parser under test.
absl::Time Utc(int hour, int minute, int second) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 22, hour, minute, second),
                         absl::UTCTimeZone());
}

struct DurationCase {
  const char* text;
  bool allow_bare_seconds;
  absl::Duration want;
};

TEST(ParseDurationTest, ReadsPrometheusNotation) {
  const DurationCase kCases[] = {
      {"30s", false, absl::Seconds(30)},
      {"5m", false, absl::Minutes(5)},
      {"1h30m", false, absl::Minutes(90)},
      {"500ms", false, absl::Milliseconds(500)},
      {"1m500ms", false, absl::Milliseconds(60500)},
      {"1d", false, absl::Hours(24)},
      {"1w", false, absl::Hours(7 * 24)},
      {"1y", false, absl::Hours(365 * 24)},
      {"1y2w3d4h5m6s7ms", false,
       absl::Hours(365 * 24 + 14 * 24 + 3 * 24 + 4) + absl::Minutes(5) + absl::Seconds(6) +
           absl::Milliseconds(7)},
      {"0s", false, absl::ZeroDuration()},
      {"30s", true, absl::Seconds(30)},
      {"30", true, absl::Seconds(30)},
      {"0.5", true, absl::Milliseconds(500)},
      {"0", true, absl::ZeroDuration()},
  };
  for (const DurationCase& c : kCases) {
    SCOPED_TRACE(::testing::Message() << "'" << c.text << "' bare=" << c.allow_bare_seconds);
    auto got = ParseDuration(c.text, c.allow_bare_seconds);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want);
  }
}

struct BadDurationCase {
  const char* text;
  bool allow_bare_seconds;
};

TEST(ParseDurationTest, RejectsMalformedTextQuotingIt) {
  const BadDurationCase kCases[] = {
      {"", false},
      {"", true},
      {"-5m", false},
      {"-5m", true},
      {"5", false},    // a number needs a unit unless bare seconds are allowed
      {"0.5", false},  // likewise
      {"5x", false},
      {"5M", false},
      {"m", false},
      {"1.5h", false},
      {"1h 30m", false},
      {"30m1h", false},  // units must go largest first
      {"1m1m", false},   // and each only once
      {"500ms1s", false},
      {"99999999999999999999y", false},  // the number does not fit in 64 bits
      {"300000000y", false},             // the number fits, the milliseconds do not
      {"99999999999999999999", true},
      {"1.2.3", true},
  };
  for (const BadDurationCase& c : kCases) {
    SCOPED_TRACE(::testing::Message() << "'" << c.text << "' bare=" << c.allow_bare_seconds);
    auto got = ParseDuration(c.text, c.allow_bare_seconds);
    ASSERT_FALSE(got.ok()) << "parsed as " << *got;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(got.status().message()), HasSubstr(std::string("'") + c.text + "'"));
  }
}

TEST(FormatPromDurationTest, WritesLargestUnitsFirst) {
  const struct {
    absl::Duration duration;
    const char* want;
  } kCases[] = {
      {absl::ZeroDuration(), "0s"},
      {absl::Seconds(30), "30s"},
      {absl::Minutes(10), "10m"},
      {absl::Minutes(90), "1h30m"},
      {absl::Milliseconds(60500), "1m500ms"},  // the zero seconds are left out
      {absl::Milliseconds(500), "500ms"},
      {absl::Hours(24), "24h"},
      {absl::Microseconds(1500), "1ms"},  // sub-millisecond remainders are dropped
      {-absl::Minutes(5), "-5m"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(FormatPromDuration(c.duration), c.want);
  }
}

TEST(FormatPromDurationTest, RoundTripsThroughParseDuration) {
  const absl::Duration kDurations[] = {
      absl::ZeroDuration(),  absl::Milliseconds(1), absl::Milliseconds(999),
      absl::Seconds(1),      absl::Seconds(59),     absl::Milliseconds(3723004),
      absl::Hours(24 * 365), absl::Hours(1000000),
  };
  for (absl::Duration d : kDurations) {
    const std::string text = FormatPromDuration(d);
    SCOPED_TRACE(text);
    auto back = ParseDuration(text);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, d);
  }
}

TEST(ParseTimeTest, ReadsRelativeUnixAndRfc3339Times) {
  const struct {
    const char* text;
    absl::Time want;
  } kCases[] = {
      {"now", kNow},
      {" now ", kNow},
      {"now-30m", kNow - absl::Minutes(30)},
      {"now+5m", kNow + absl::Minutes(5)},
      {"now-1h30m", kNow - absl::Minutes(90)},
      {"-1h", kNow - absl::Hours(1)},
      {"+5m", kNow + absl::Minutes(5)},
      {"1795369440", absl::FromUnixSeconds(1795369440)},
      {"1795369440.5", absl::FromUnixMillis(1795369440500)},
      {"1795369440.123", absl::FromUnixMillis(1795369440123)},
      {"0", absl::UnixEpoch()},
      {"2026-11-22T10:00:00Z", Utc(10, 0, 0)},
      {"2026-11-22T10:00:00+02:00", Utc(8, 0, 0)},
      {"2026-11-22T10:00:00-05:30", Utc(15, 30, 0)},
      {"2026-11-22T10:00:00.250Z", Utc(10, 0, 0) + absl::Milliseconds(250)},
      {"2026-11-22T10:00:00.5+02:00", Utc(8, 0, 0) + absl::Milliseconds(500)},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    auto got = ParseTime(c.text, kNow);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want) << "got " << FormatRfc3339(*got);
  }
}

TEST(ParseTimeTest, EmptyTextIsInvalid) {
  EXPECT_EQ(ParseTime("", kNow).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTime("   ", kNow).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseTimeTest, RejectsMalformedTextQuotingIt) {
  const char* const kCases[] = {
      "yesterday",  "now-",
      "now*5m",     "now-5",
      "now-5x",     "2026-13-01T00:00:00Z",
      "2026-11-22", "2026-11-22T25:00:00Z",
      "1e9",        "1795369440.5.5",
  };
  for (const char* text : kCases) {
    SCOPED_TRACE(text);
    auto got = ParseTime(text, kNow);
    ASSERT_FALSE(got.ok()) << "parsed as " << FormatRfc3339(*got);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(got.status().message()), HasSubstr(std::string("'") + text + "'"));
  }
}

TEST(FormatUnixSecondsTest, WritesMillisecondsWithoutTrailingZeros) {
  const struct {
    absl::Time time;
    const char* want;
  } kCases[] = {
      {absl::UnixEpoch(), "0"},
      {absl::FromUnixSeconds(1795369440), "1795369440"},
      {absl::FromUnixMillis(1795369440500), "1795369440.5"},
      {absl::FromUnixMillis(1795369440120), "1795369440.12"},
      {absl::FromUnixMillis(1795369440123), "1795369440.123"},
      {absl::FromUnixMillis(1795369440001), "1795369440.001"},
      {absl::FromUnixSeconds(1795369440) + absl::Microseconds(999), "1795369440"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(FormatUnixSeconds(c.time), c.want);
  }
}

TEST(FormatUnixSecondsTest, WritesTimesBeforeTheEpochAsNegativeDecimals) {
  // Unix seconds are a signed decimal: 1.5 s before the epoch is -1.5, as the Prometheus API
  // reads it (strconv.ParseFloat).
  EXPECT_EQ(FormatUnixSeconds(absl::FromUnixSeconds(-2)), "-2");
  EXPECT_EQ(FormatUnixSeconds(absl::FromUnixMillis(-1500)), "-1.5");
  EXPECT_EQ(FormatUnixSeconds(absl::FromUnixMillis(-250)), "-0.25");
}

TEST(FormatUnixSecondsTest, RoundTripsThroughParseTime) {
  const absl::Time kTimes[] = {absl::UnixEpoch(), kNow, kNow + absl::Milliseconds(1),
                               kNow + absl::Milliseconds(123), kNow + absl::Milliseconds(999)};
  for (absl::Time time : kTimes) {
    const std::string text = FormatUnixSeconds(time);
    SCOPED_TRACE(text);
    auto back = ParseTime(text, absl::InfinitePast());
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, time);
  }
}

TEST(FormatRfc3339Test, WritesUtcWithMillisecondsWhenNotZero) {
  const struct {
    absl::Time time;
    const char* want;
  } kCases[] = {
      {Utc(10, 0, 0), "2026-11-22T10:00:00Z"},
      {Utc(10, 0, 0) + absl::Milliseconds(250), "2026-11-22T10:00:00.250Z"},
      {Utc(10, 0, 0) + absl::Milliseconds(1), "2026-11-22T10:00:00.001Z"},
      {Utc(10, 0, 0) + absl::Microseconds(500), "2026-11-22T10:00:00Z"},
      {kNow, "2026-11-22T17:44:00Z"},  // `date -u -d @1795369440`
      {absl::UnixEpoch(), "1970-01-01T00:00:00Z"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.want);
    EXPECT_EQ(FormatRfc3339(c.time), c.want);
  }
}

TEST(FormatRfc3339Test, RoundTripsThroughParseTime) {
  const absl::Time kTimes[] = {Utc(0, 0, 0), kNow, kNow + absl::Milliseconds(7),
                               kNow + absl::Milliseconds(999)};
  for (absl::Time time : kTimes) {
    const std::string text = FormatRfc3339(time);
    SCOPED_TRACE(text);
    auto back = ParseTime(text, absl::InfinitePast());
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, time);
  }
}

TEST(ParseTimeTest, RejectsInfiniteAndFarAwayTimes) {
  const absl::Time now = absl::FromUnixSeconds(1795369440);
  for (const char* text :
       {"infinite-past", "infinite-future", "now-292471208y", "99999999999999", "now+20000y"}) {
    auto time = ParseTime(text, now);
    EXPECT_TRUE(absl::IsInvalidArgument(time.status())) << text;
  }
}

TEST(FormatUnixSecondsTest, SurvivesTheExtremes) {
  // ToUnixMillis saturates to INT64_MIN/MAX here; formatting must not overflow negating it.
  EXPECT_EQ(FormatUnixSeconds(absl::InfinitePast()), "-9223372036854775.808");
  EXPECT_EQ(FormatUnixSeconds(absl::InfiniteFuture()), "9223372036854775.807");
}

}  // namespace
}  // namespace augur
