/* Shared main for the per-module Check binaries: TLSD_SUITE names the
 * module's suite constructor. */
#include <check.h>
#include <stdlib.h>

Suite *TLSD_SUITE(void);

int main(void)
{
	SRunner *sr = srunner_create(TLSD_SUITE());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
