// PCRE2 with 8-bit code units: the width macro must be set before the header.
#ifndef PORTCULLIS_CPCRE2_SHIM_H
#define PORTCULLIS_CPCRE2_SHIM_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif
