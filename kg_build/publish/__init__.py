"""What is done with a finished build: releases, the review report, loads into stores, counts."""
