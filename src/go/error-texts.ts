// The error texts of Go's packages that Docker passes on word for word, as entries of
// the catalogue in src/errors.ts. Values arrive already escaped the way Go quotes them.

export const GO_ERROR_TEXTS = {
  // strconv
  TSLOGS_PARSE_BOOL: (value: string) => `strconv.ParseBool: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_INT: (value: string) => `strconv.Atoi: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_INT_RANGE: (value: string) => `strconv.Atoi: parsing "${value}": value out of range`,
  TSLOGS_PARSE_UINT: (value: string) => `strconv.ParseUint: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_UINT_RANGE: (value: string) => `strconv.ParseUint: parsing "${value}": value out of range`,
  TSLOGS_PARSE_INT32: (value: string) => `strconv.ParseInt: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_INT32_RANGE: (value: string) => `strconv.ParseInt: parsing "${value}": value out of range`,
  TSLOGS_PARSE_FLOAT: (value: string) => `strconv.ParseFloat: parsing "${value}": invalid syntax`,
  TSLOGS_PARSE_FLOAT_RANGE: (value: string) => `strconv.ParseFloat: parsing "${value}": value out of range`,
  // time.ParseDuration
  TSLOGS_DURATION: (value: string) => `time: invalid duration "${value}"`,
  TSLOGS_DURATION_NO_UNIT: (value: string) => `time: missing unit in duration "${value}"`,
  TSLOGS_DURATION_UNIT: (unit: string, value: string) => `time: unknown unit "${unit}" in duration "${value}"`,
  // docker/go-units (Docker 20.10's size parser)
  TSLOGS_INVALID_SIZE: (value: string) => `invalid size: '${value}'`,
  // *fs.PathError, e.g. `open /x: no such file or directory`
  TSLOGS_PATH_ERROR: (op: string, path: string, detail: string) => `${op} ${path}: ${detail}`,
} as const;
