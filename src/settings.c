/*
 * settings.c
 *    The current values of relintel's settings, at their built-in defaults
 *    until relintel.c defines the GUCs that set them.  A file of its own so
 *    that the fuzz target (fuzz/) links the same defaults without the server.
 */
#include "relintel.h"

double		relintel_health_half_life = 21.0;
double		relintel_tie_half_life = 90.0;
double		relintel_weight_email = 1.0;
double		relintel_weight_call = 2.0;
double		relintel_weight_meeting = 3.0;
int			relintel_good_score = 60;
int			relintel_fair_score = 40;
int			relintel_min_tie_strength = 5;
int			relintel_max_tie_participants = 10;
double		relintel_min_silence = 14.0;
double		relintel_dark_factor = 8.0;
double		relintel_answer_wait = 5.0;
