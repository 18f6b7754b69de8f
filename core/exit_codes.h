// The exit codes of the `augur` command line: a contract with the pipelines that run it
// (shared design, section 2). Verdict codes first, then failures.
#ifndef AUGUR_CORE_EXIT_CODES_H_
#define AUGUR_CORE_EXIT_CODES_H_

namespace augur {

inline constexpr int kExitPromote = 0;  // also: a command that is not an analysis succeeded
inline constexpr int kExitAbort = 1;
inline constexpr int kExitHold = 2;
inline constexpr int kExitUnavailable = 3;  // the analysis could not run: backend down, timeouts
inline constexpr int kExitUsage = 64;       // bad arguments, bad input files, bad templates

}  // namespace augur

#endif  // AUGUR_CORE_EXIT_CODES_H_
