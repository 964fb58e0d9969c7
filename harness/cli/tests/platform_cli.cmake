# `uiommufd platform` and --platform as a user meets them: the default
# machine's tree, the list of kinds, a bad platform file refused with one
# line and exit status 2 (by `platform` and by `run`), and the platform
# `run` hands the kernel side in $UIOMMUFD_PLATFORM (a file by its absolute
# path). Run by CTest with -DUIOMMUFD=<the command> -DWORK_DIR=<scratch dir>.

set(failures 0)

# check(<exit code> <regex stdout must match> <regex stderr must match> <stderr lines or -> ARGS...)
function(check code out_regex err_regex err_lines)
  execute_process(COMMAND ${UIOMMUFD} ${ARGN} WORKING_DIRECTORY ${WORK_DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
  string(REGEX MATCHALL "\n" newlines "${err}")
  list(LENGTH newlines nlines)
  set(why "")
  if(NOT rc STREQUAL "${code}")
    set(why "exit ${rc}, want ${code}")
  elseif(NOT out MATCHES "${out_regex}")
    set(why "stdout does not match ${out_regex}")
  elseif(NOT err MATCHES "${err_regex}")
    set(why "stderr does not match ${err_regex}")
  elseif(NOT err_lines STREQUAL "-" AND NOT nlines EQUAL err_lines)
    set(why "${nlines} line(s) on stderr, want ${err_lines}")
  endif()
  if(why)
    message(SEND_ERROR "uiommufd ${ARGN}: ${why}\nstdout:\n${out}\nstderr:\n${err}")
  else()
    message(STATUS "ok: uiommufd ${ARGN} -> ${rc}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
# As realpath() gives it: the paths the command hands on are compared with it.
file(REAL_PATH ${WORK_DIR} WORK_DIR)
string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" work_dir_re "${WORK_DIR}")
file(WRITE ${WORK_DIR}/bad.json [=[
{
	"iommus": [ { "name": "iommu0", "kind": "mock" } ],
	"devices": [
		{ "bdf": "0000:00:02.0", "kind": "plain" },
		{ "bdf": "0000:00:32.0", "kind": "plain" }
	]
}
]=])
file(WRITE ${WORK_DIR}/syntax.json "{\n\t\"iommus\": [,]\n}\n")
file(WRITE ${WORK_DIR}/small.json [=[
{ "description": "one plain function",
  "iommus": [ { "name": "iommu0", "kind": "mock" } ],
  "devices": [ { "bdf": "00:05.0", "kind": "plain", "group": 4 } ] }
]=])

# The tree of the default machine: the I/OAT engine among its devices.
check(0 "^default: .*\niommu0  mock.*0000:00:03\\.0  ioat .*/dev/vfio/devices/vfio1\n" "^$" 0
      platform)
check(0 "0000:00:03\\.0  ioat" "^$" 0 platform default)
check(0 "^small: one plain function\n.*└─ 0000:00:05\\.0  plain .* group 4 " "^$" 0
      platform small.json)
check(0 "embedded platforms:\n(  [a-z0-9-]+ .*\n)*  default .*IOMMU kinds:\n.*  mock .*device kinds:\n.*  ioat .*  plain "
      "^$" 0 platform --list)

# Bad descriptions: one line naming the file and the field, exit status 2.
check(2 "^$" "^bad\\.json: devices\\[1\\]\\.bdf: device 0x32 out of range \\(0-0x1f\\)\n$" 1
      platform bad.json)
check(2 "^$" "^\\./syntax\\.json:2:13: syntax error" 1 platform ./syntax.json)
check(2 "^$" "^missing\\.json: No such file or directory\n$" 1 platform missing.json)
check(2 "^$" "^nope: no such platform \\(embedded: ([a-z0-9-]+, )*default[,)]" 1 platform nope)
check(2 "" "unknown option --bogus" - platform --bogus)

# run checks it the same way before starting anything.
check(2 "^$" "^uiommufd: platform bad\\.json: devices\\[1\\]\\.bdf: device 0x32 out of range" 1
      run --platform bad.json -- true)
check(2 "^$" "^uiommufd: platform nope: no such platform" 1 run --platform=nope -- true)

# selftest (and kselftest) check it once, before running any program.
file(WRITE ${WORK_DIR}/progs/never_run "#!/bin/sh\necho ran >> ${WORK_DIR}/ran\n")
file(CHMOD ${WORK_DIR}/progs/never_run PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
check(2 "" "uiommufd: platform bad\\.json: devices\\[1\\]\\.bdf: " -
      selftest --dir progs --platform bad.json)
if(EXISTS ${WORK_DIR}/ran)
  message(SEND_ERROR "selftest --platform bad.json ran a program")
endif()

# ... and hand every run the platform, a file by its absolute path.
file(REMOVE ${WORK_DIR}/progs/never_run)
file(WRITE ${WORK_DIR}/progs/tell "#!/bin/sh\n[ \"$1\" = -l ] && exit 0\n"
     "echo \"$UIOMMUFD_PLATFORM\" > ${WORK_DIR}/told\n"
     "printf 'TAP version 13\\n1..1\\nok 1 told\\n'\n")
file(CHMOD ${WORK_DIR}/progs/tell PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
check(0 "" "" - selftest --dir progs --out results --expected /dev/null --platform small.json)
file(READ ${WORK_DIR}/told told)
if(NOT told STREQUAL "${WORK_DIR}/small.json\n")
  message(SEND_ERROR "selftest --platform small.json: the program was told \"${told}\"")
endif()

# What the kernel side is told: the name, or the file's absolute path, in
# the program's environment (in-process) and the command's own (--server).
check(0 "^default\n$" "" - run -- sh -c "echo $UIOMMUFD_PLATFORM")
check(0 "^${work_dir_re}/small\\.json\n$" "" - run --platform small.json -- sh -c "echo $UIOMMUFD_PLATFORM")
check(0 "^${work_dir_re}/small\\.json\n$" "" - run --server --platform=./small.json --
      sh -c "echo $UIOMMUFD_PLATFORM")

file(REMOVE_RECURSE ${WORK_DIR})
